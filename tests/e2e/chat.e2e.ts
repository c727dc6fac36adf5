// Two colleagues chat in real time in two browser contexts; one goes offline, writes three
// messages, reloads while still offline (they are still there, pending), and comes back: the other
// sees all three, in order, once.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signedIn } from './accounts.ts';
import { launchChromium } from './browser.ts';
import { bodies, composer, controlledByServiceWorker, send } from './chat-page.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;
let alice: { context: BrowserContext; page: Page };
let bruno: { context: BrowserContext; page: Page };
let directChatId: string;
const CHAT_URL = /\/chats\/[0-9a-f-]{36}$/;

beforeAll(async () => {
  browser = await launchChromium();
  alice = await signedIn(browser, 'alice@contoso.test');
  bruno = await signedIn(browser, 'bruno@contoso.test');
});

afterAll(async () => {
  await browser?.close();
});

describe('chat', () => {
  it('starts a 1:1 chat from the directory and delivers in real time both ways', async () => {
    const { page } = alice;
    await page.getByRole('link', { name: 'New chat' }).click();
    await page.getByLabel('Search your organization').fill('Bruno');
    await page.getByRole('button', { name: 'Chat with Bruno Petit' }).click();
    await page.waitForURL(CHAT_URL);
    directChatId = new URL(page.url()).pathname.split('/').pop()!;
    await send(page, 'Hello Bruno, see https://contoso.test/plan');
    await expect.poll(() => page.getByRole('img', { name: 'Waiting to send' }).count()).toBe(0);

    await expect
      .poll(() => bruno.page.getByRole('link', { name: /Alice Martin/ }).isVisible(), {
        timeout: 10_000
      })
      .toBe(true);
    await bruno.page.getByRole('link', { name: /Alice Martin/ }).click();
    await expect
      .poll(() => bodies(bruno.page))
      .toEqual(['Hello Bruno, see https://contoso.test/plan']);
    const link = bruno.page.getByRole('link', { name: 'https://contoso.test/plan' });
    expect(await link.getAttribute('href')).toBe('https://contoso.test/plan');

    await send(bruno.page, 'Hi Alice');
    await expect
      .poll(() => bodies(page), { timeout: 10_000 })
      .toEqual(['Hello Bruno, see https://contoso.test/plan', 'Hi Alice']);
  });

  it('keeps messages written offline through a reload and delivers them once, in order', async () => {
    const { page, context } = bruno;
    // The service worker must control the page for an offline reload to open the app.
    await controlledByServiceWorker(page);

    await context.setOffline(true);
    const offline = ['Offline one', 'Offline two', 'Offline three'];
    for (const text of offline) await send(page, text);
    await expect.poll(() => page.getByRole('img', { name: 'Waiting to send' }).count()).toBe(3);

    await page.reload();
    await expect
      .poll(() => bodies(page))
      .toEqual(['Hello Bruno, see https://contoso.test/plan', 'Hi Alice', ...offline]);
    await expect.poll(() => page.getByRole('img', { name: 'Waiting to send' }).count()).toBe(3);

    await context.setOffline(false);
    await expect
      .poll(() => page.getByRole('img', { name: 'Waiting to send' }).count(), { timeout: 15_000 })
      .toBe(0);
    await expect
      .poll(() => bodies(alice.page), { timeout: 15_000 })
      .toEqual(['Hello Bruno, see https://contoso.test/plan', 'Hi Alice', ...offline]);
    // Still once each after a full reload from IndexedDB and a fresh pull.
    await alice.page.reload();
    await expect
      .poll(() => bodies(alice.page))
      .toEqual(['Hello Bruno, see https://contoso.test/plan', 'Hi Alice', ...offline]);
  });

  it('marks a message the server refuses Not sent, with the reason, and lets it be deleted', async () => {
    const { page, context } = alice;
    await page.goto(`${baseUrl}/chats/new`);
    await page.getByLabel('Group').check();
    await page.getByLabel('Group name').fill('Launch');
    await page.getByLabel('Search your organization').fill('Bruno');
    await page.getByRole('button', { name: 'Add Bruno Petit' }).click();
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.waitForURL(CHAT_URL);
    const chatId = new URL(page.url()).pathname.split('/').pop()!;
    await send(page, 'Welcome to the launch group');
    await expect.poll(() => page.getByRole('img', { name: 'Waiting to send' }).count()).toBe(0);

    const aliceId = await page.evaluate(async () => {
      const response = await fetch('/api/me');
      return ((await response.json()) as { id: string }).id;
    });

    // While Alice is offline, Bruno removes her; what she types then cannot be accepted.
    await context.setOffline(true);
    try {
      const answer = await bruno.page.evaluate(
        async ({ id, userId }) => {
          const mutation = {
            id: crypto.randomUUID(),
            seq: 1,
            at: new Date().toISOString(),
            type: 'chat.removeMember',
            args: { chatId: id, userId }
          };
          const response = await fetch('/api/sync/push', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ deviceId: crypto.randomUUID(), mutations: [mutation] })
          });
          return `${response.status} ${await response.text()}`;
        },
        { id: chatId, userId: aliceId }
      );
      expect(answer).toContain('"applied"');
      await send(page, 'Can everyone read this?');
    } finally {
      await context.setOffline(false);
    }

    await expect
      .poll(() => page.getByText('Not sent:', { exact: false }).isVisible(), { timeout: 15_000 })
      .toBe(true);
    expect(await page.getByRole('alert').filter({ hasText: 'Not sent' }).innerText()).toContain(
      'this chat doesn’t exist or you’re not in it.'
    );
    await expect
      .poll(() => page.getByText('You’re no longer in this chat', { exact: false }).isVisible())
      .toBe(true);
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => bodies(page)).toEqual(['Welcome to the launch group']);
  });

  it('scrolls back through a long history on a new device, loading older messages', async () => {
    // 200 more messages from another device of Alice's, straight through the API.
    const chatId = directChatId;
    await alice.page.evaluate(async (id) => {
      const deviceId = crypto.randomUUID();
      for (let batch = 0; batch < 2; batch++) {
        const mutations = Array.from({ length: 100 }, (_, i) => ({
          id: crypto.randomUUID(),
          seq: batch * 100 + i + 1,
          at: new Date().toISOString(),
          type: 'message.send',
          args: { chatId: id, messageId: crypto.randomUUID(), body: `History ${batch * 100 + i}` }
        }));
        const response = await fetch('/api/sync/push', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ deviceId, mutations })
        });
        if (!response.ok) throw new Error(`push answered ${response.status}`);
      }
    }, chatId);

    // A new device only gets the recent messages of each chat; the rest comes on scroll.
    const laptop = await signedIn(browser, 'bruno@contoso.test');
    await laptop.page.goto(`${baseUrl}/chats/${chatId}`);
    await expect.poll(() => bodies(laptop.page)).toContain('History 199');
    const log = laptop.page.getByRole('log');
    for (let i = 0; i < 30; i++) {
      if (await laptop.page.getByText('This is the beginning of the chat.').isVisible()) break;
      await log.evaluate((element) => (element.scrollTop = 0));
      await laptop.page.waitForTimeout(150);
    }
    await expect
      .poll(() => bodies(laptop.page))
      .toContain('Hello Bruno, see https://contoso.test/plan');
    // Windowed: the whole history is loaded, but only what is near the screen is rendered.
    expect((await bodies(laptop.page)).length).toBeLessThan(60);
    await laptop.context.close();
  });

  it('keeps what is typed when the composer is mounted again, ready to send at once', async () => {
    // The composer goes away and comes back (here through the chat's details; after an Accept,
    // as the acceptance syncs): the text must be in it as soon as it shows, not a moment later.
    const { page } = alice;
    await page.goto(`${baseUrl}/chats/${directChatId}`);
    await bruno.page.goto(`${baseUrl}/chats/${directChatId}`);
    const text = 'Typed before the composer came back';
    await composer(page).fill(text);
    await page.getByRole('link', { name: 'Chat details' }).click();
    await page.getByRole('link', { name: 'Back to chats' }).click();
    await composer(page).waitFor();
    expect(await composer(page).inputValue()).toBe(text);
    await composer(page).press('Enter');
    await expect.poll(async () => (await bodies(page)).at(-1), { timeout: 10_000 }).toBe(text);
    await expect
      .poll(async () => (await bodies(bruno.page)).at(-1), { timeout: 15_000 })
      .toBe(text);
  });
});
