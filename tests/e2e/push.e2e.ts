// Notifications in a real browser: the unread count in the tab title, and the service worker's
// push handler driven through the DevTools protocol (ServiceWorker.deliverPushMessage), since a
// headless browser has no push service to subscribe to.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signedIn } from './accounts.ts';
import { launchChromium } from './browser.ts';
import { controlledByServiceWorker, send } from './chat-page.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;
let bruno: { context: BrowserContext; page: Page };
let chloe: { context: BrowserContext; page: Page };
let chatId = '';

beforeAll(async () => {
  browser = await launchChromium();
  bruno = await signedIn(browser, 'bruno@contoso.test');
  chloe = await signedIn(browser, 'chloe@contoso.test');
});
afterAll(async () => {
  await browser?.close();
});

describe('notifications', () => {
  it('counts unread messages in the tab title and clears the count on reading', async () => {
    const { page } = bruno;
    await page.getByRole('link', { name: 'New chat' }).click();
    await page.getByLabel('Search your organization').fill('Chloé');
    await page.getByRole('button', { name: 'Chat with Chloé Durand' }).click();
    await page.waitForURL(/\/chats\/[0-9a-f-]{36}$/);
    chatId = new URL(page.url()).pathname.split('/').pop() ?? '';
    await send(page, 'Are you coming?');

    await expect.poll(() => chloe.page.title(), { timeout: 10_000 }).toMatch(/^\(1\) /);
    await chloe.page.getByRole('link', { name: /Bruno Petit/ }).click();
    await expect.poll(() => chloe.page.title(), { timeout: 10_000 }).not.toMatch(/^\(\d+\) /);
  });

  it('shows a push as one notification per chat, the later message replacing the first', async () => {
    const { page, context } = chloe;
    await page.goto(`${baseUrl}/`);
    await controlledByServiceWorker(page);
    await context.grantPermissions(['notifications'], { origin: baseUrl });
    const cdp = await context.newCDPSession(page);
    const registration = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }) => {
        const ours = registrations.find((r) => r.scopeURL === `${baseUrl}/` && !r.isDeleted);
        if (ours) resolve(ours.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    const registrationId = await registration;
    const deliver = (body: string) =>
      cdp.send('ServiceWorker.deliverPushMessage', {
        origin: baseUrl,
        registrationId,
        data: JSON.stringify({
          chatId,
          title: 'Bruno Petit',
          body,
          tag: `chat:${chatId}`,
          kind: 'message',
          unread: 1
        })
      });
    const shown = () =>
      page.evaluate(async () => {
        const ready = await navigator.serviceWorker.ready;
        const all = await ready.getNotifications();
        return all.map((n) => ({
          title: n.title,
          body: n.body,
          tag: n.tag,
          data: n.data as unknown
        }));
      });

    await deliver('First');
    await expect
      .poll(shown)
      .toEqual([{ title: 'Bruno Petit', body: 'First', tag: `chat:${chatId}`, data: { chatId } }]);
    await deliver('Second');
    await expect
      .poll(shown)
      .toEqual([{ title: 'Bruno Petit', body: 'Second', tag: `chat:${chatId}`, data: { chatId } }]);
  });
});
