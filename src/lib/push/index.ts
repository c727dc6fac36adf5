// This device's Web Push subscription (docs/notifications.md): asked for only after the
// person's own click, bound on the server to this browser's session.
import { request } from '$lib/api/client';

export type PushState =
  /** No service worker, no Push API, or no Notification API. */
  | 'unsupported'
  /** iOS and iPadOS: web push works only from the app added to the Home Screen. */
  | 'needs-install'
  | 'denied'
  | 'off'
  | 'on';

/** iPhone and iPad (iPadOS says it is a Mac, with touch). */
export function isIos(): boolean {
  return (
    /iPhone|iPad|iPod/.test(navigator.userAgent) ||
    (navigator.userAgent.includes('Macintosh') && navigator.maxTouchPoints > 1)
  );
}

export function isStandalone(): boolean {
  return (
    matchMedia('(display-mode: standalone)').matches ||
    (navigator as Navigator & { standalone?: boolean }).standalone === true
  );
}

function supported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

async function registration(): Promise<ServiceWorkerRegistration | null> {
  if (!('serviceWorker' in navigator)) return null;
  return (await navigator.serviceWorker.getRegistration()) ?? null;
}

export async function pushState(): Promise<PushState> {
  if (!supported()) return isIos() && !isStandalone() ? 'needs-install' : 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const current = await (await registration())?.pushManager.getSubscription();
  return current && Notification.permission === 'granted' ? 'on' : 'off';
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const base64 = base64url.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

function sameKey(a: ArrayBuffer | null | undefined, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.byteLength) return false;
  const bytes = new Uint8Array(a);
  return bytes.every((byte, i) => byte === b[i]);
}

const save = (subscription: PushSubscription) =>
  request<void>('POST', '/api/push/subscriptions', subscription.toJSON());

/** Asks for permission (call it from a click), subscribes and tells the server. */
export async function turnOn(): Promise<PushState> {
  if (!supported()) return pushState();
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const ready = await navigator.serviceWorker.ready;
  const { publicKey } = await request<{ publicKey: string }>('GET', '/api/push/key');
  const key = keyBytes(publicKey);
  let subscription = await ready.pushManager.getSubscription();
  // Subscribed with another server key (the server's keys changed): start again.
  if (subscription && !sameKey(subscription.options.applicationServerKey, key)) {
    await subscription.unsubscribe();
    subscription = null;
  }
  subscription ??= await ready.pushManager.subscribe({
    userVisibleOnly: true,
    applicationServerKey: key
  });
  await save(subscription);
  return 'on';
}

/** Stops push to this device: the server forgets the endpoint, the browser drops it. */
export async function turnOff(): Promise<PushState> {
  const subscription = await (await registration())?.pushManager.getSubscription();
  if (subscription) {
    await request<void>('DELETE', '/api/push/subscriptions', { endpoint: subscription.endpoint });
    await subscription.unsubscribe();
  }
  return pushState();
}

/** After signing out: the server deleted the subscription with the session; the browser too. */
export async function forgetSubscription(): Promise<void> {
  const subscription = await (await registration())?.pushManager.getSubscription();
  await subscription?.unsubscribe();
}

/**
 * On start, signed in: tells the server the subscription the browser holds again (its row
 * follows the session; a renewed endpoint replaces the old one). Never asks for anything.
 */
export async function resync(): Promise<void> {
  if (!supported() || Notification.permission !== 'granted') return;
  const subscription = await (await registration())?.pushManager.getSubscription();
  if (subscription) await save(subscription);
}
