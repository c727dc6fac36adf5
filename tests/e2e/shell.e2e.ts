// The foundation story in a real browser: sign up with a code from the outbox, sign out, sign in
// again, then lose the network and reload: the installed shell still opens, signed in.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { enterCode } from './accounts.ts';
import { launchChromium, launchPersistentChromium } from './browser.ts';
import { controlledByServiceWorker } from './chat-page.ts';

const baseUrl = inject('baseUrl');
let browser: Browser;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'en-GB' });
  page = await context.newPage();
});
afterAll(async () => {
  await browser?.close();
});

/** Asks for a code and types the one that arrives by email. */
async function sendAndEnterCode(address: string) {
  const since = Date.now();
  await page.getByRole('button', { name: 'Send code' }).click();
  await enterCode(page, address, since);
}

describe('app shell', () => {
  it('signs up with an emailed code and lands on an empty chat list', async () => {
    await page.goto(`${baseUrl}/`);
    await page.waitForURL(/\/signin$/);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Your name').fill('Robin Example');
    await page.getByLabel('Email or phone number').fill('robin@example.org');
    await sendAndEnterCode('robin@example.org');
    await page.waitForURL(`${baseUrl}/`);
    await expect
      .poll(() => page.getByRole('heading', { name: 'No chats yet' }).isVisible())
      .toBe(true);
  });

  it('shows the profile as a personal account and signs out', async () => {
    await page.getByRole('link', { name: 'Profile' }).click();
    await expect.poll(() => page.getByText('Personal account').first().isVisible()).toBe(true);
    // Turning message requests off is saved on the server, not only drawn.
    const requests = page.getByRole('switch', {
      name: 'Message requests from people you have not accepted'
    });
    expect(await requests.isChecked()).toBe(true);
    await requests.click();
    await expect.poll(() => page.getByRole('status').getByText('Saved.').isVisible()).toBe(true);
    expect(await requests.isChecked()).toBe(false);
    const saved = await page.evaluate(async () => {
      const me = (await (await fetch('/api/me')).json()) as { requestsAllowed: boolean };
      return me.requestsAllowed;
    });
    expect(saved).toBe(false);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/\/signin$/);
    const me = await page.evaluate(async () => (await fetch('/api/me')).status);
    expect(me).toBe(401);
  });

  it('signs in again with a new code', async () => {
    await page.getByLabel('Email or phone number').fill('Robin@Example.org');
    await sendAndEnterCode('Robin@example.org');
    await page.waitForURL(`${baseUrl}/`);
    await expect
      .poll(() => page.getByRole('heading', { name: 'No chats yet' }).isVisible())
      .toBe(true);
  });

  it('opens with no network after a reload, still signed in', async () => {
    // The service worker must control the page before the network goes away.
    await controlledByServiceWorker(page);

    await context.setOffline(true);
    try {
      await page.reload();
      await expect
        .poll(() => page.getByRole('heading', { name: 'No chats yet' }).isVisible())
        .toBe(true);
      await expect
        .poll(() => page.getByText('You’re offline', { exact: false }).first().isVisible())
        .toBe(true);
      await page.goto(`${baseUrl}/profile`);
      await expect
        .poll(() => page.getByLabel('Name', { exact: true }).inputValue())
        .toBe('Robin Example');
    } finally {
      await context.setOffline(false);
    }
  });

  it('is installable: a valid manifest with 192 and 512 icons, including maskable ones', async () => {
    const manifest = (await (await fetch(`${baseUrl}/manifest.webmanifest`)).json()) as {
      name: string;
      short_name: string;
      start_url: string;
      display: string;
      theme_color: string;
      icons: { sizes: string; purpose?: string; src: string }[];
    };
    expect(manifest).toMatchObject({
      name: 'Parley',
      short_name: 'Parley',
      start_url: '/',
      display: 'standalone'
    });
    for (const size of ['192x192', '512x512']) {
      expect(
        manifest.icons.some((i) => i.sizes === size && (i.purpose ?? 'any').includes('any'))
      ).toBe(true);
      expect(manifest.icons.some((i) => i.sizes === size && i.purpose?.includes('maskable'))).toBe(
        true
      );
    }
    for (const icon of manifest.icons) {
      const response = await fetch(new URL(icon.src, baseUrl));
      expect(response.headers.get('content-type')).toBe('image/png');
    }
    // Chromium's own installability check, in a regular (non-incognito) profile.
    const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-profile-'));
    const installed = await launchPersistentChromium(profileDir);
    try {
      const appPage = await installed.newPage();
      await appPage.goto(`${baseUrl}/signin`);
      await appPage.evaluate(async () => {
        await navigator.serviceWorker.ready;
      });
      const cdp = await installed.newCDPSession(appPage);
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      expect(installabilityErrors.map((e) => e.errorId)).toEqual([]);
    } finally {
      await installed.close();
      fs.rmSync(profileDir, { recursive: true, force: true });
    }
  });
});
