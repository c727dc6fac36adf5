// Whether the browser believes it has a network (navigator.onLine and its events), as a rune in
// the way of svelte/reactivity's MediaQuery: listened to only while something on screen reads it.
import { on } from 'svelte/events';
import { createSubscriber } from 'svelte/reactivity';

class Connectivity {
  #subscribe = createSubscriber((update) => {
    const offOnline = on(window, 'online', update);
    const offOffline = on(window, 'offline', update);
    return () => {
      offOnline();
      offOffline();
    };
  });

  get online(): boolean {
    this.#subscribe();
    return navigator.onLine;
  }
}

export const connectivity = new Connectivity();
