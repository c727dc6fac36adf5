// An admin removes a member (issue 9, item 9): Dana joins Contoso by signing up with a
// contoso.test address; Alice, Contoso's admin, finds her on /admin, is asked in the page what
// removal does, confirms, and Dana is gone from the list; Dana's browser is signed out and her
// address no longer signs in.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { enterCode, signedIn } from './accounts.ts';
import { launchChromium } from './browser.ts';

const baseUrl = inject('baseUrl');
// An address no other e2e file uses: the files share one server.
const DANA = 'dana@contoso.test';
/** Names in sentences are wrapped in isolation marks, which are not word characters. */
const named = (before: string, name: string) => new RegExp(`^${before}\\W*${name}\\W*$`);

type Person = { context: BrowserContext; page: Page };
let browser: Browser;
let dana: Person;
let alice: Person;

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('an admin removing a member', () => {
  it('starts from Dana, who joined Contoso by signing up with its domain', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    dana = { context, page };
    await page.goto(`${baseUrl}/signin`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill('Dana Roux');
    await page.getByLabel('Email or phone number').fill(DANA);
    const since = Date.now();
    await page.getByRole('button', { name: 'Send code' }).click();
    await enterCode(page, DANA, since);
    await page.waitForURL(`${baseUrl}/`);
  });

  it('asks in the page what removal does, then removes her from the list', async () => {
    alice = await signedIn(browser, 'alice@contoso.test');
    const { page } = alice;
    await page.goto(`${baseUrl}/admin`);
    await page.getByLabel('Search members').fill('Dana');
    await page
      .getByRole('button', { name: named('Remove', 'Dana Roux from the organization') })
      .click();

    const question = page.getByRole('heading', {
      name: named('Remove', 'Dana Roux\\W*from\\W*Contoso\\W*\\?')
    });
    await expect.poll(() => question.isVisible()).toBe(true);
    // Focus moves to the question, so a screen reader says it first.
    await expect
      .poll(() => question.evaluate((element) => element === document.activeElement))
      .toBe(true);
    await expect
      .poll(() => page.getByText(`can no longer sign in with ${DANA}`).isVisible())
      .toBe(true);

    await page.getByRole('button', { name: named('Remove', 'Dana Roux') }).click();
    await expect
      .poll(() => page.getByText(named('', 'Dana Roux\\W*was removed\\.')).isVisible())
      .toBe(true);
    await expect
      .poll(() =>
        page
          .getByRole('button', { name: named('Remove', 'Dana Roux from the organization') })
          .count()
      )
      .toBe(0);
  });

  it('signs Dana out, and her address no longer signs in', async () => {
    const { page } = dana;
    await page.reload();
    await page.waitForURL(/\/signin$/);
    await page.getByLabel('Email or phone number').fill(DANA);
    const since = Date.now();
    await page.getByRole('button', { name: 'Send code' }).click();
    // Only the person holding the address gets this far: they are told why.
    await enterCode(page, DANA, since);
    await expect.poll(() => page.url()).toMatch(/\/signin$/);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/removed/i);
  });
});
