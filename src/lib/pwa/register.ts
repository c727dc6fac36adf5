// Registers the service worker by hand so the app decides when a new version takes over.
import { dev } from '$app/environment';
import { appUpdate } from '$lib/state/app-update.svelte';

const UPDATE_CHECK_MS = 60 * 60 * 1000;

export async function registerServiceWorker(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  const container = navigator.serviceWorker;
  // No controller yet: the first install takes the page over by itself (clients.claim) and
  // brings nothing new to reload for. Every later change of controller is a new version.
  let controlled = container.controller !== null;

  let registration: ServiceWorkerRegistration | undefined;
  try {
    registration = await container.register('/service-worker.js', {
      type: dev ? 'module' : 'classic'
    });
  } catch {
    // Unsupported context (some private modes, blocked by policy): the app runs online-only.
  }
  if (!registration) return;

  if (registration.waiting && container.controller) appUpdate.offer(registration.waiting);

  registration.addEventListener('updatefound', () => {
    const worker = registration.installing;
    worker?.addEventListener('statechange', () => {
      if (worker.state === 'installed' && container.controller) appUpdate.offer(worker);
    });
  });

  container.addEventListener('controllerchange', () => {
    if (controlled) appUpdate.controllerChanged();
    controlled = true;
  });

  // A single-page app rarely navigates, so the browser's own update check seldom runs.
  const check = () => void registration.update().catch(() => undefined);
  setInterval(check, UPDATE_CHECK_MS);
  addEventListener('online', check);
}
