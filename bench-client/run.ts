// `npm run bench:client`: the client's IndexedDB figures in Chromium, against the built app served
// by a real server on loopback. Prints medians over several runs (figures, not pass/fail).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { build } from 'vite';
import { codeFromOutbox, launchChromium } from '../tests/e2e/browser.ts';
import { startServerProcess } from '../tests/support/server-process.ts';

const root = path.resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const json = process.argv.includes('--json');
const log = (line: string) => {
  if (!json) console.log(line);
};

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

async function bundle(): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    resolve: { alias: { $lib: path.join(root, 'src/lib'), $common: path.join(root, 'common') } },
    build: {
      write: false,
      minify: true,
      lib: {
        entry: path.join(root, 'bench-client/entry.ts'),
        formats: ['iife'],
        name: 'ParleyBenchBundle'
      }
    }
  });
  const result = Array.isArray(output) ? output[0] : output;
  if (!result || !('output' in result)) throw new Error('bench bundle failed');
  const chunk = result.output.find((o) => o.type === 'chunk');
  if (!chunk || chunk.type !== 'chunk') throw new Error('bench bundle has no code');
  return chunk.code;
}

const built = spawnSync('node', ['scripts/build-if-stale.js'], { cwd: root, stdio: 'ignore' });
if (built.status !== 0) throw new Error('client build failed');
const code = await bundle();
const server = await startServerProcess({
  port: 4900 + Math.floor(Math.random() * 90),
  name: 'parley-bench-client'
});
const browser = await launchChromium();
try {
  const { baseUrl } = server;
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel('Email or phone number').fill('alice@contoso.test');
  await page.getByRole('button', { name: 'Send code' }).click();
  await page.getByLabel('6-digit code').fill(await codeFromOutbox(baseUrl, 'alice@contoso.test'));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(`${baseUrl}/`);
  const me = await page.evaluate(async () => {
    const response = await fetch('/api/me');
    return ((await response.json()) as { id: string }).id;
  });
  const other = 'bench-colleague';
  await page.addScriptTag({ content: code });

  log(`Client benchmark: Chromium, ${RUNS} runs each, medians.`);
  const applyMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    applyMs.push(
      await page.evaluate(([a, b]) => window.ParleyBench.applyPull(a!, b!), [me, other])
    );
  }

  await page.evaluate(([a, b]) => window.ParleyBench.seedApp(a!, b!), [me, other]);
  await page.close();

  const openMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const cold = await context.newPage();
    // Time from navigation start to the first frame with chat rows in it.
    await cold.addInitScript(() => {
      const observer = new MutationObserver(() => {
        if (!document.querySelector('.chats li')) return;
        observer.disconnect();
        requestAnimationFrame(() => {
          (window as unknown as { listPainted: number }).listPainted = performance.now();
        });
      });
      observer.observe(document, { childList: true, subtree: true });
    });
    await cold.goto(`${baseUrl}/`);
    await cold.waitForFunction(() => 'listPainted' in window, undefined, { timeout: 30_000 });
    openMs.push(
      await cold.evaluate(() => (window as unknown as { listPainted: number }).listPainted)
    );
    const rows = await cold.locator('.chats li').count();
    if (rows !== 100) throw new Error(`expected 100 chats in the list, found ${rows}`);
    await cold.close();
  }

  const figures = {
    apply_pull_10k_ms: Math.round(median(applyMs)),
    cold_open_list_ms: Math.round(median(openMs))
  };
  if (json) {
    console.log(JSON.stringify(figures));
  } else {
    const row = (name: string, value: number, target: string) =>
      console.log(`| ${name.padEnd(62)} | ${String(value).padStart(6)} ms | ${target.padEnd(8)} |`);
    console.log(`| ${'figure'.padEnd(62)} | ${'median'.padStart(9)} | target   |`);
    console.log(`| ${'-'.repeat(62)} | ${'-'.repeat(9)} | -------- |`);
    row(
      'apply a 10,000-message pull into IndexedDB (pages of 1,000)',
      figures.apply_pull_10k_ms,
      '≤ 1500'
    );
    row(
      'cold open: chat list of 100 chats / 10,000 messages painted',
      figures.cold_open_list_ms,
      '≤ 400'
    );
    console.log(
      `runs: apply ${applyMs.map(Math.round).join(', ')} ms; open ${openMs.map(Math.round).join(', ')} ms`
    );
  }
} finally {
  await browser.close();
  await server.stop();
}
