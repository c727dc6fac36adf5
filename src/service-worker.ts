// Keeps the app shell on the device so Parley opens with no network (never touching API traffic),
// and shows push notifications.
/// <reference no-default-lib="true"/>
/// <reference lib="esnext" />
/// <reference lib="webworker" />
/// <reference types="@sveltejs/kit" />
import { build, files, version } from '$service-worker';

const sw = self as unknown as ServiceWorkerGlobalScope;

const CACHE = `parley-${version}`;
// The server answers every non-API path with index.html, so '/' stands for any screen.
const SHELL = '/';
const PRECACHE = [...build, ...files, SHELL];
const PRECACHED = new Set(PRECACHE);

sw.addEventListener('install', (event) => {
  // No skipWaiting here: a new version waits until the user clicks "Reload" (SKIP_WAITING),
  // so a page is never served assets from a version it was not built with.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)));
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== CACHE) await caches.delete(key);
      }
      // On first install there is no older worker: take the open page over right away so it
      // works offline without a reload. On an update the user already asked for the takeover.
      await sw.clients.claim();
    })()
  );
});

sw.addEventListener('message', (event: ExtendableMessageEvent) => {
  const data: unknown = event.data;
  if (typeof data === 'object' && data !== null && 'type' in data && data.type === 'SKIP_WAITING') {
    void sw.skipWaiting();
  }
});

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;
  // API and dev-tool traffic is live data with cookies: never cached, never answered from cache.
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/dev/')) return;

  if (request.mode === 'navigate') {
    event.respondWith(navigate(request));
  } else if (PRECACHED.has(url.pathname)) {
    event.respondWith(fromCache(request, url.pathname));
  }
});

/**
 * Network first, so an online user always gets the server's current page; offline, the cached
 * shell. The network answer is deliberately not cached: the cached shell must keep matching the
 * precached assets of this version.
 */
async function navigate(request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (error) {
    const shell = await caches.match(SHELL, { cacheName: CACHE });
    if (shell) return shell;
    throw error;
  }
}

/** Built assets are content-hashed and static files belong to this version: cache first. */
async function fromCache(request: Request, pathname: string): Promise<Response> {
  const cached = await caches.match(pathname, { cacheName: CACHE });
  return cached ?? fetch(request);
}

// --- Push notifications (docs/notifications.md) ---

type PushPayload = {
  chatId: string;
  title: string;
  body: string;
  tag: string;
  unread?: number;
};

function readPayload(event: PushEvent): PushPayload | null {
  try {
    const data: unknown = event.data?.json();
    if (typeof data !== 'object' || data === null) return null;
    const { chatId, title, body, tag, unread } = data as Record<string, unknown>;
    if (typeof chatId !== 'string' || typeof title !== 'string') return null;
    if (typeof body !== 'string' || typeof tag !== 'string') return null;
    return { chatId, title, body, tag, ...(typeof unread === 'number' && { unread }) };
  } catch {
    return null;
  }
}

const chatPath = (chatId: string) => `/chats/${encodeURIComponent(chatId)}`;

sw.addEventListener('push', (event: PushEvent) => {
  event.waitUntil(
    (async () => {
      const payload = readPayload(event);
      if (!payload) return;
      if (payload.unread !== undefined && 'setAppBadge' in navigator) {
        await navigator.setAppBadge(payload.unread).catch(() => undefined);
      }
      // Someone looking at this very chat needs no notification.
      const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const looking = windows.some(
        (client) =>
          client.visibilityState === 'visible' &&
          client.focused &&
          new URL(client.url).pathname === chatPath(payload.chatId)
      );
      if (looking) return;
      // One notification per chat: a later message replaces it (and alerts again).
      await sw.registration.showNotification(payload.title, {
        body: payload.body,
        tag: payload.tag,
        renotify: true,
        icon: '/icons/icon-192.png',
        badge: '/icons/maskable-192.png',
        data: { chatId: payload.chatId }
      } as NotificationOptions);
    })()
  );
});

sw.addEventListener('notificationclick', (event: NotificationEvent) => {
  event.notification.close();
  const data: unknown = event.notification.data;
  const chatId =
    typeof data === 'object' && data !== null && 'chatId' in data && typeof data.chatId === 'string'
      ? data.chatId
      : null;
  event.waitUntil(
    (async () => {
      const windows = await sw.clients.matchAll({ type: 'window', includeUncontrolled: true });
      const open = windows.find((client) => new URL(client.url).origin === sw.location.origin);
      if (open) {
        // The open app moves to the chat itself (no reload: drafts and state stay).
        await open.focus();
        if (chatId) open.postMessage({ type: 'OPEN_CHAT', chatId });
        return;
      }
      await sw.clients.openWindow(chatId ? chatPath(chatId) : '/');
    })()
  );
});

// The push service renewed the subscription: tell the server the new one (same session).
sw.addEventListener('pushsubscriptionchange', (event: Event) => {
  const change = event as Event & {
    oldSubscription?: PushSubscription | null;
    newSubscription?: PushSubscription | null;
    waitUntil(promise: Promise<unknown>): void;
  };
  change.waitUntil(
    (async () => {
      const key = change.oldSubscription?.options.applicationServerKey;
      const subscription =
        change.newSubscription ??
        (key
          ? await sw.registration.pushManager.subscribe({
              userVisibleOnly: true,
              applicationServerKey: key
            })
          : null);
      if (!subscription) return;
      await fetch('/api/push/subscriptions', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(subscription.toJSON())
      });
    })()
  );
});
