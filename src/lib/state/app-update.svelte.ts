// "A new version is ready": a service worker is installed and waiting for the user's go-ahead.
class AppUpdate {
  ready = $state(false);
  #waiting: ServiceWorker | null = null;
  #applying = false;

  /** Called by the registration code when a new worker has installed behind the current one. */
  offer(worker: ServiceWorker | null): void {
    this.#waiting = worker;
    this.ready = true;
  }

  /**
   * The user clicked Reload. The waiting worker takes over, and the page reloads once it
   * controls it (see `controllerChanged`), so the new shell and the new assets match.
   */
  apply(): void {
    if (this.#waiting) {
      this.#applying = true;
      this.#waiting.postMessage({ type: 'SKIP_WAITING' });
    } else {
      // Another tab already let the new worker in: only this page is still old.
      location.reload();
    }
  }

  controllerChanged(): void {
    if (this.#applying) {
      location.reload();
      return;
    }
    // Another tab applied the update. Reloading here could throw away what the user is typing,
    // so keep offering the reload instead.
    this.offer(null);
  }
}

export const appUpdate = new AppUpdate();
