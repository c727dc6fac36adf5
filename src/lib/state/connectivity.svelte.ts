// Whether the browser believes it has a network (navigator.onLine and its events).
class Connectivity {
  online = $state(navigator.onLine);

  constructor() {
    addEventListener('online', () => (this.online = true));
    addEventListener('offline', () => (this.online = false));
  }
}

export const connectivity = new Connectivity();
