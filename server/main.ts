// Entry point: one process that migrates the database, seeds a demo on first start, and serves
// the API and the built client.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { ConfigError, loadConfig, usesDevOutbox, type Config } from './config.ts';
import { loadSecretKey } from './domain/secrets.ts';
import { notifierFromConfig } from './messaging/notifier.ts';
import { egressRule } from './push/egress.ts';
import { PushFanout } from './push/fanout.ts';
import { pushTransport } from './push/transport.ts';
import { loadVapidDetails } from './push/vapid.ts';
import { startRealtime } from './realtime/hub.ts';
import { demoSignInHelp, seedDemo } from './seed.ts';
import { composeServices } from './services.ts';
import { openStore } from './store/index.ts';
import { VERSION } from './version.ts';

const clientDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../build');

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const store = await openStore(config);
  const vapid = loadVapidDetails(config);
  const notifier = notifierFromConfig(
    config,
    store,
    pushTransport(store, vapid, egressRule(config.env))
  );
  const now = () => new Date();
  const push = new PushFanout(vapid.publicKey, store, notifier, now);
  // The one composition root: the store, the notifier, then everything wired over them (the
  // sync engine, the spreader, the effect ports), the app and the real-time hub.
  const services = composeServices({
    config,
    store,
    notifier,
    secretKey: loadSecretKey(config.secretKey, config.dataDir),
    now,
    push
  });
  const { spreader } = services;
  if (await seedDemo(store)) console.log(demoSignInHelp(config.publicUrl, usesDevOutbox(config)));

  // Delivers the durable email/SMS queue, this instance's messages and any left by others.
  notifier.start();
  const app = createApp(services, { clientDir });
  const realtime = await startRealtime(services);
  // A browser with the app open on this instance gets its messages there, not as a push.
  push.presence = realtime;
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    const where =
      store.dialect === 'sqlite'
        ? `${path.join(config.dataDir, 'parley.db')}, synchronous=${config.sqliteSynchronous}`
        : 'PostgreSQL';
    console.log(`Parley ${VERSION} listening on ${config.publicUrl} (port ${info.port}, ${where})`);
  });
  server.on('upgrade', realtime.handleUpgrade);
  // Switches whose effect a crash (or another instance) left half spread, then every interval.
  spreader.start();

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    server.close();
    void spreader
      .stop()
      .then(() => realtime.close())
      .then(() => push.idle())
      // Sends under way finish; what is still queued waits in the database for the next start.
      .then(() => notifier.stop())
      .finally(() => store.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

await main();
