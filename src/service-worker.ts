// Keeps the app shell on the device so Parley opens with no network; never touches API traffic.
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
