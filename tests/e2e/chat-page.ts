// What the e2e files do on a chat screen: read its messages, send one, and make the page work
// with no network.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** The message bodies shown in the chat, top to bottom. */
export function bodies(page: Page): Promise<string[]> {
  return page.locator('[role="log"] .body').allInnerTexts();
}

/** How many messages show as queued. */
export function waitingToSend(page: Page): Promise<number> {
  return page.getByRole('img', { name: 'Waiting to send' }).count();
}

export function composer(page: Page) {
  return page.getByLabel('Message', { exact: true });
}

/**
 * Accepts the message request on screen; returns once the acceptance has reached the server and
 * the request prompt has given way to the chat (its composer is then the one to type into).
 */
export async function accept(page: Page) {
  await page.getByRole('button', { name: 'Accept' }).click();
  // The answer leaves the outbox once the server has applied (or refused) it; a refusal would
  // bring the prompt back, so it must still be gone after.
  await expect.poll(() => queuedMutations(page), { timeout: 10_000 }).toBe(0);
  expect(await page.getByRole('button', { name: 'Accept' }).count()).toBe(0);
}

/** How many mutations of any kind wait in the device's outbox (read straight from IndexedDB). */
export function queuedMutations(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('parley');
        open.onerror = () => reject(new Error('cannot open the device store'));
        open.onsuccess = () => {
          const db = open.result;
          const count = db.transaction('outbox').objectStore('outbox').count();
          count.onsuccess = () => {
            db.close();
            resolve(count.result);
          };
          count.onerror = () => reject(new Error('cannot count the outbox'));
        };
      })
  );
}

/** Types and sends a message; returns once it shows in the chat (pending or delivered). */
export async function send(page: Page, text: string) {
  await composer(page).fill(text);
  await composer(page).press('Enter');
  await expect.poll(async () => (await bodies(page)).includes(text)).toBe(true);
}

/** Waits until the service worker controls the page, so that it opens and works with no network. */
export async function controlledByServiceWorker(page: Page) {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.reload();
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null))
    .toBe(true);
}
