// The external-contact story (issue 4, steps 1–4) in separate browser contexts: Alice of Contoso
// writes to bob@example.org, who has no account; the invitation arrives through the SMTP server
// on loopback; Alice reaches the 10-message cap from two devices queued offline and sees the
// 11th refused; Bob joins from the link with a personal account, finds the request and accepts;
// then they chat both ways.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitForMail } from '../support/mailbox.ts';
import { signedIn } from './accounts.ts';
import { launchChromium } from './browser.ts';
import { accept, bodies, controlledByServiceWorker, send, waitingToSend } from './chat-page.ts';

const baseUrl = inject('baseUrl');
const mailDir = inject('mailDir');
const BOB = 'bob@example.org';
const CHAT_URL = /\/chats\/[0-9a-f-]{36}$/;

let browser: Browser;
let alice: { context: BrowserContext; page: Page };
let aliceLaptop: { context: BrowserContext; page: Page };
let bob: { context: BrowserContext; page: Page };
let chatUrl: string;
let joinLink: string;

beforeAll(async () => {
  browser = await launchChromium();
  alice = await signedIn(browser, 'alice@contoso.test');
});
afterAll(async () => {
  await browser?.close();
});

describe('chatting with someone outside the organization', () => {
  it('invites an address with no account by email and lets Alice write before acceptance', async () => {
    const { page } = alice;
    const since = Date.now();
    await page.getByRole('link', { name: 'New chat' }).click();
    await page.getByLabel('Email or phone number').fill(`  ${BOB} `);
    await page.getByRole('button', { name: 'Start chat' }).click();
    await page.waitForURL(CHAT_URL);
    chatUrl = page.url();

    for (const text of ['Hello Bob', 'This is Alice from Contoso', 'About the offer']) {
      await send(page, text);
    }
    await expect.poll(() => waitingToSend(page), { timeout: 10_000 }).toBe(0);
    await expect
      .poll(() => page.getByText(`3 of 10 messages before ${BOB} accepts`).isVisible())
      .toBe(true);
    await expect.poll(() => page.getByText('Invitation sent · expires on').isVisible()).toBe(true);
    await expect.poll(() => page.getByText('External').first().isVisible()).toBe(true);

    const invitation = await waitForMail(mailDir, BOB, { since });
    expect(invitation.text).toContain('Alice Martin');
    expect(invitation.text).toContain('Contoso');
    // Nothing Alice typed is in the invitation: it is a fixed template.
    expect(invitation.text).not.toContain('Hello Bob');
    const join = invitation.text.match(/(https?:\/\/\S+\/join#token=[\w-]+)/)?.[1];
    const refuse = invitation.text.match(/(https?:\/\/\S+\/refuse#token=[\w-]+)/)?.[1];
    expect(join).toBeDefined();
    expect(refuse).toBeDefined();
    joinLink = join!;
  });

  it('holds the cap across two devices queued offline: the 11th is marked Not sent online', async () => {
    aliceLaptop = await signedIn(browser, 'alice@contoso.test');
    await aliceLaptop.page.goto(chatUrl);
    await expect.poll(() => bodies(aliceLaptop.page), { timeout: 10_000 }).toHaveLength(3);
    await controlledByServiceWorker(alice.page);
    await controlledByServiceWorker(aliceLaptop.page);

    // Offline on both: the phone queues 7 (reaching 10), the laptop, which knows of 3, one more.
    await alice.context.setOffline(true);
    await aliceLaptop.context.setOffline(true);
    for (let i = 4; i <= 10; i++) await send(alice.page, `Phone ${i}`);
    await expect
      .poll(() => alice.page.getByText(`10 of 10 messages before ${BOB} accepts`).isVisible())
      .toBe(true);
    // The phone itself will not queue an 11th, says why, and keeps the text.
    const composer = alice.page.getByLabel('Message', { exact: true });
    await composer.fill('Phone 11');
    await composer.press('Enter');
    await expect
      .poll(() =>
        alice.page
          .getByText(`You’ve sent 10 messages. You can send more once ${BOB} accepts.`)
          .isVisible()
      )
      .toBe(true);
    expect(await composer.inputValue()).toBe('Phone 11');
    await composer.fill('');

    await send(aliceLaptop.page, 'From the laptop');
    await expect.poll(() => waitingToSend(aliceLaptop.page)).toBe(1);

    // The phone reaches the server first and takes the last places.
    await alice.context.setOffline(false);
    await expect.poll(() => waitingToSend(alice.page), { timeout: 15_000 }).toBe(0);
    await aliceLaptop.context.setOffline(false);
    const refused = aliceLaptop.page.getByRole('alert').filter({ hasText: 'Not sent' });
    await expect.poll(() => refused.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await refused.innerText()).toContain(
      'you’ve reached the number of messages allowed before they accept.'
    );
    // Kept on the device, not lost: still shown with its text.
    expect(await bodies(aliceLaptop.page)).toContain('From the laptop');
    await aliceLaptop.context.close();
  });

  it('lets Bob join from the link with a personal account and find the request', async () => {
    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      locale: 'en-GB'
    });
    const page = await context.newPage();
    bob = { context, page };
    await page.goto(joinLink);
    await expect
      .poll(() =>
        page.getByText('Alice Martin from Contoso invited you to chat on Parley').isVisible()
      )
      .toBe(true);
    await page.getByLabel('Your name').fill('Bob Stone');
    await page.getByRole('button', { name: 'Join' }).click();
    await page.waitForURL(CHAT_URL, { timeout: 15_000 });

    await expect.poll(() => page.getByText('Alice Martin').first().isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Contoso').first().isVisible()).toBe(true);
    await expect.poll(() => page.getByText('External').first().isVisible()).toBe(true);
    await expect.poll(() => page.getByText('Why am I seeing this?').isVisible()).toBe(true);
    await expect.poll(() => bodies(page), { timeout: 10_000 }).toHaveLength(10);
    expect((await bodies(page))[0]).toBe('Hello Bob');
    // A request shows no composer until it is accepted.
    expect(await page.getByLabel('Message', { exact: true }).count()).toBe(0);
  });

  it('after Bob accepts, they chat both ways and Alice sees him by name', async () => {
    // Bob has had the request open with every message on screen: Alice is not told.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await alice.page.getByText('Seen', { exact: true }).count()).toBe(0);

    await accept(bob.page);
    await send(bob.page, 'Hi Alice, happy to talk');
    await expect
      .poll(async () => (await bodies(alice.page)).at(-1), { timeout: 15_000 })
      .toBe('Hi Alice, happy to talk');
    await expect.poll(() => alice.page.getByText('Bob Stone').first().isVisible()).toBe(true);
    // No cap any more.
    await send(alice.page, 'Great, message 11 goes through now');
    await expect.poll(() => waitingToSend(alice.page), { timeout: 10_000 }).toBe(0);
    await expect
      .poll(async () => (await bodies(bob.page)).at(-1), { timeout: 15_000 })
      .toBe('Great, message 11 goes through now');
    // Now Bob's reading reaches Alice.
    await expect
      .poll(() => alice.page.getByText('Seen', { exact: true }).isVisible(), { timeout: 10_000 })
      .toBe(true);
  });

  it('lets Alice start a group with Bob, now an accepted contact', async () => {
    const { page } = alice;
    await page.goto(`${baseUrl}/chats/new`);
    await page.getByLabel('Group').check();
    await page.getByLabel('Group name').fill('Offer review');
    await page.getByLabel('Search your organization').fill('Bob');
    await page.getByRole('button', { name: 'Add Bob Stone' }).click();
    await page.getByRole('button', { name: 'Create group' }).click();
    await page.waitForURL(CHAT_URL);
    await send(page, 'Welcome Bob');
    await expect.poll(() => waitingToSend(page), { timeout: 10_000 }).toBe(0);
    await expect
      .poll(() => page.getByText('This chat includes people outside Contoso.').isVisible())
      .toBe(true);

    await bob.page.goto(`${baseUrl}/`);
    await expect
      .poll(() => bob.page.getByRole('link', { name: /Offer review/ }).isVisible(), {
        timeout: 15_000
      })
      .toBe(true);
  });
});
