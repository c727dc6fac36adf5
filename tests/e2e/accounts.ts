// Signing people in for end-to-end tests, through the real code flow with the code read from the
// SMTP server on loopback (see global-setup.ts).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { inject } from 'vitest';
import { waitForMail } from '../support/mailbox.ts';

const baseUrl = inject('baseUrl');
const mailDir = inject('mailDir');

/** The sign-in code emailed to `address` after `since` (epoch ms). */
export async function codeFromMail(address: string, since: number): Promise<string> {
  const mail = await waitForMail(mailDir, address, {
    since,
    match: (m) => /\b\d{6}\b/.test(m.subject)
  });
  const code = mail.text.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error(`no code in the mail to ${address}`);
  return code;
}

/** Fills the 6-digit code sent after `since` and continues. */
export async function enterCode(page: Page, address: string, since: number) {
  await page.getByLabel('6-digit code').fill(await codeFromMail(address, since));
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** A phone-sized browser context signed in as the existing account `address`. */
export async function signedIn(
  browser: Browser,
  address: string
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    locale: 'en-GB'
  });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel('Email or phone number').fill(address);
  const since = Date.now();
  await page.getByRole('button', { name: 'Send code' }).click();
  await enterCode(page, address, since);
  await page.waitForURL(`${baseUrl}/`);
  return { context, page };
}
