// Muting a chat from its details (issue 11): Chloé mutes on her laptop and her phone shows it;
// she unmutes; a mute made offline shows at once and reaches the phone once she is back online.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { signedIn } from './accounts.ts';
import { launchChromium } from './browser.ts';

const baseUrl = inject('baseUrl');
const CHAT_URL = /\/chats\/[0-9a-f-]{36}$/;
type Person = { context: BrowserContext; page: Page };
let browser: Browser;
let laptop: Person;
let phone: Person;
let details: string;

beforeAll(async () => {
  browser = await launchChromium();
  laptop = await signedIn(browser, 'chloe@contoso.test');
  phone = await signedIn(browser, 'chloe@contoso.test');
});
afterAll(async () => {
  await browser?.close();
});

const mutedText = (page: Page) => page.getByText(/^Muted until /);

describe('muting a chat', () => {
  it('mutes for 8 hours on one device and shows it on the other', async () => {
    const { page } = laptop;
    await page.getByRole('link', { name: 'New chat' }).click();
    await page.getByLabel('Search your organization').fill('Bruno');
    await page.getByRole('button', { name: 'Chat with Bruno Petit' }).click();
    await page.waitForURL(CHAT_URL);
    details = `${page.url()}/settings`;
    await page.goto(details);
    await page.getByRole('button', { name: '8 hours' }).click();
    await expect.poll(() => mutedText(page).isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Notifications muted.').isVisible()).toBe(true);

    await phone.page.goto(details);
    await expect.poll(() => mutedText(phone.page).isVisible(), { timeout: 10_000 }).toBe(true);
    await phone.page.goto(baseUrl);
    await expect
      .poll(() => phone.page.getByRole('img', { name: 'Muted' }).count(), { timeout: 10_000 })
      .toBe(1);
  });

  it('unmutes on every device', async () => {
    await laptop.page.getByRole('button', { name: 'Unmute' }).click();
    await expect
      .poll(() => laptop.page.getByRole('button', { name: '1 hour' }).isVisible())
      .toBe(true);
    await expect
      .poll(() => phone.page.getByRole('img', { name: 'Muted' }).count(), { timeout: 10_000 })
      .toBe(0);
  });

  it('mutes offline until turned on, and the other device hears of it once back online', async () => {
    const { page, context } = laptop;
    await context.setOffline(true);
    await page.getByRole('button', { name: 'Until I turn them back on' }).click();
    await expect
      .poll(() => page.getByText('Muted until you turn them back on.').isVisible())
      .toBe(true);
    await phone.page.goto(details);
    await phone.page.getByRole('button', { name: '1 hour' }).waitFor();
    await context.setOffline(false);
    await expect
      .poll(() => phone.page.getByText('Muted until you turn them back on.').isVisible(), {
        timeout: 15_000
      })
      .toBe(true);
  });
});
