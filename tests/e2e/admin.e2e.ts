// An admin turns outbound chat off (issue 5) while a member has a message queued offline in an
// external chat: Chloé of Contoso chats with Carol (a personal account), goes offline and writes;
// Alice, Contoso's admin, turns outbound chat off on /admin after the page says what it will do;
// back online, Chloé sees her message marked "Not sent" with the reason and the chat read-only,
// and so does Carol. Turning it on again opens the chat and the kept message can be sent.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitForMail } from '../support/mailbox.ts';
import { signedIn } from './accounts.ts';
import { launchChromium } from './browser.ts';
import {
  accept,
  bodies,
  composer,
  controlledByServiceWorker,
  send,
  waitingToSend
} from './chat-page.ts';

const baseUrl = inject('baseUrl');
const mailDir = inject('mailDir');
// An address no other e2e file uses: the files share one server.
const CAROL = 'carol@example.org';
const CHAT_URL = /\/chats\/[0-9a-f-]{36}$/;
const OURS =
  'Your organization has turned off chats with people outside it. This chat is read-only.';
const THEIRS = 'Contoso has turned off chats with people outside it. This chat is read-only.';
const REASON = 'your organization doesn’t allow chats with people outside it right now.';

type Person = { context: BrowserContext; page: Page };
let browser: Browser;
let chloe: Person;
let carol: Person;
let alice: Person;
let chatUrl: string;
/** Set while the organization's outbound chat is off, so that afterAll can undo it. */
let outboundOff = false;

function readOnlyBanner(page: Page, text: string) {
  return page.getByRole('status').filter({ hasText: text });
}

/** Through the API, for afterAll: leaves the organization as the other e2e files expect it. */
async function turnOutboundOnAgain(page: Page) {
  await page.evaluate(async () => {
    const me = (await (await fetch('/api/me')).json()) as { organization: { id: string } };
    const response = await fetch(`/api/admin/organizations/${me.organization.id}/settings`, {
      method: 'PATCH',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ outboundExternal: true }),
      signal: AbortSignal.timeout(10_000)
    });
    if (!response.ok) throw new Error(`PATCH settings: ${response.status}`);
  });
}

beforeAll(async () => {
  browser = await launchChromium();
  chloe = await signedIn(browser, 'chloe@contoso.test');
});
afterAll(async () => {
  if (outboundOff && alice) await turnOutboundOnAgain(alice.page);
  await browser?.close();
});

describe('an admin turning outbound chat off', () => {
  it('starts from an accepted chat between Chloé of Contoso and Carol, outside it', async () => {
    const since = Date.now();
    await chloe.page.getByRole('link', { name: 'New chat' }).click();
    await chloe.page.getByLabel('Email or phone number').fill(CAROL);
    await chloe.page.getByRole('button', { name: 'Start chat' }).click();
    await chloe.page.waitForURL(CHAT_URL, { timeout: 10_000 });
    chatUrl = chloe.page.url();
    await send(chloe.page, 'Hello Carol');
    await expect.poll(() => waitingToSend(chloe.page), { timeout: 10_000 }).toBe(0);

    const invitation = await waitForMail(mailDir, CAROL, { since });
    const join = invitation.text.match(/(https?:\/\/\S+\/join#token=[\w-]+)/)?.[1];
    expect(join).toBeDefined();

    const context = await browser.newContext({
      viewport: { width: 360, height: 740 },
      locale: 'en-GB'
    });
    carol = { context, page: await context.newPage() };
    await carol.page.goto(join!);
    await carol.page.getByLabel('Your name').fill('Carol Lee');
    await carol.page.getByRole('button', { name: 'Join' }).click();
    await carol.page.waitForURL(CHAT_URL, { timeout: 15_000 });
    await expect.poll(() => bodies(carol.page), { timeout: 10_000 }).toEqual(['Hello Carol']);
    await accept(carol.page);
    await send(carol.page, 'Hi Chloé');
    await expect
      .poll(async () => (await bodies(chloe.page)).at(-1), { timeout: 15_000 })
      .toBe('Hi Chloé');
  });

  it('marks a message queued offline Not sent with the reason, and the chat read-only', async () => {
    await controlledByServiceWorker(chloe.page);
    await chloe.context.setOffline(true);
    await send(chloe.page, 'Written on the train');
    await expect.poll(() => waitingToSend(chloe.page)).toBe(1);

    alice = await signedIn(browser, 'alice@contoso.test');
    const { page } = alice;
    await page.goto(`${baseUrl}/profile`);
    await page.getByRole('link', { name: 'Organization settings' }).click();
    await page.waitForURL(`${baseUrl}/admin`);
    const outbound = page.getByRole('switch', { name: 'Outbound chat' });
    await expect.poll(() => outbound.isChecked(), { timeout: 10_000 }).toBe(true);
    await outbound.click();
    // The page says what turning it off does before anything is saved.
    await expect
      .poll(() => page.getByRole('heading', { name: 'Turn off outbound chat?' }).isVisible())
      .toBe(true);
    // Other e2e files may have left external chats of Contoso's members: count one or more.
    await expect
      .poll(
        () =>
          page
            .getByRole('status')
            .filter({ hasText: /external chats? becomes? read-only for both sides\./ })
            .isVisible(),
        { timeout: 10_000 }
      )
      .toBe(true);
    expect(await outbound.isChecked()).toBe(true);
    outboundOff = true;
    await page.getByRole('button', { name: 'Confirm' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Saved.' }).isVisible(), {
        timeout: 10_000
      })
      .toBe(true);
    expect(await outbound.isChecked()).toBe(false);

    // Back online, the queued message is decided by the server with today's settings.
    await chloe.context.setOffline(false);
    const refused = chloe.page.getByRole('alert').filter({ hasText: 'Not sent' });
    await expect.poll(() => refused.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await refused.innerText()).toContain(REASON);
    expect(await waitingToSend(chloe.page)).toBe(0);
    // Kept on the device with its text, not lost.
    expect(await bodies(chloe.page)).toContain('Written on the train');
    await expect
      .poll(() => readOnlyBanner(chloe.page, OURS).isVisible(), { timeout: 15_000 })
      .toBe(true);
    expect(await composer(chloe.page).count()).toBe(0);
  });

  it('makes the chat read-only for Carol too, naming the organization that did it', async () => {
    await expect
      .poll(() => readOnlyBanner(carol.page, THEIRS).isVisible(), { timeout: 15_000 })
      .toBe(true);
    expect(await composer(carol.page).count()).toBe(0);
    // Nothing of Chloé's refused message reached her.
    expect(await bodies(carol.page)).toEqual(['Hello Carol', 'Hi Chloé']);
  });

  it('opens the chat again once outbound is back on, and the kept message can be sent', async () => {
    const { page } = alice;
    const outbound = page.getByRole('switch', { name: 'Outbound chat' });
    // Turning it on needs no confirmation: it saves at once.
    await outbound.click();
    await expect
      .poll(
        async () =>
          (await outbound.isChecked()) &&
          (await outbound.getAttribute('aria-busy')) !== 'true' &&
          (await page.getByRole('status').filter({ hasText: 'Saved.' }).isVisible()),
        { timeout: 10_000 }
      )
      .toBe(true);
    outboundOff = false;

    await expect.poll(() => composer(chloe.page).isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await readOnlyBanner(chloe.page, OURS).count()).toBe(0);
    await expect.poll(() => composer(carol.page).isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await readOnlyBanner(carol.page, THEIRS).count()).toBe(0);

    await chloe.page.getByRole('button', { name: 'Retry' }).click();
    await expect
      .poll(async () => (await bodies(carol.page)).at(-1), { timeout: 15_000 })
      .toBe('Written on the train');
    const notSent = chloe.page.getByRole('alert').filter({ hasText: 'Not sent' });
    await expect
      .poll(async () => (await notSent.count()) + (await waitingToSend(chloe.page)), {
        timeout: 10_000
      })
      .toBe(0);
    expect(chloe.page.url()).toBe(chatUrl);
  });
});
