// "Install Parley": the browser's install prompt, kept from the moment it is offered (early,
// at load) until the person clicks the button.
interface InstallPrompt extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

class Install {
  #prompt: InstallPrompt | null = null;
  /** The browser offers installation now. */
  available = $state(false);

  listen(): void {
    addEventListener('beforeinstallprompt', (event) => {
      // Ours to show: a button in the profile rather than the browser's own banner.
      event.preventDefault();
      this.#prompt = event as InstallPrompt;
      this.available = true;
    });
    addEventListener('appinstalled', () => {
      this.#prompt = null;
      this.available = false;
    });
  }

  async prompt(): Promise<void> {
    const prompt = this.#prompt;
    if (!prompt) return;
    // A prompt can be shown once: a new one comes if the person dismisses it.
    this.#prompt = null;
    this.available = false;
    await prompt.prompt();
    await prompt.userChoice;
  }
}

export const install = new Install();
