// Launches Debian's Chromium for the end-to-end suite (Playwright cannot download browsers here).
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

const launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  // No traffic but to localhost: this machine has no other network.
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--no-first-run',
    '--disable-sync'
  ]
};

export function launchChromium(): Promise<Browser> {
  return chromium.launch(launchOptions);
}

/** A profile on disk, as an installed browser has (incognito contexts cannot install apps). */
export function launchPersistentChromium(userDataDir: string): Promise<BrowserContext> {
  return chromium.launchPersistentContext(userDataDir, launchOptions);
}

/** Reads the newest sign-in code sent to `address` from the development outbox. */
export async function codeFromOutbox(baseUrl: string, address: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${baseUrl}/dev/outbox.json?to=${encodeURIComponent(address)}`);
    const { messages } = (await response.json()) as { messages: { body: string }[] };
    const code = messages[0]?.body.match(/\b(\d{6})\b/)?.[1];
    if (code) return code;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no code for ${address} in the outbox`);
}
