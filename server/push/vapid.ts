// The VAPID key pair (RFC 8292) that signs every Web Push: from the environment, or generated
// once and kept beside the embedded database, like the secret key (domain/secrets.ts).
import fs from 'node:fs';
import path from 'node:path';
import webpush from 'web-push';
import type { Config } from '../config.ts';

export type VapidDetails = { subject: string; publicKey: string; privateKey: string };

const FILE = 'vapid.json';

export function loadVapidDetails(config: Pick<Config, 'vapidKeys' | 'vapidSubject' | 'dataDir'>) {
  return { subject: config.vapidSubject, ...(config.vapidKeys ?? storedKeys(config.dataDir)) };
}

/** A browser keeps a subscription tied to the key it subscribed with: the file is never rewritten. */
function storedKeys(dataDir: string): { publicKey: string; privateKey: string } {
  const file = path.join(dataDir, FILE);
  try {
    const stored = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (typeof stored.publicKey === 'string' && typeof stored.privateKey === 'string') {
      return { publicKey: stored.publicKey, privateKey: stored.privateKey };
    }
    throw new Error(`${file} holds no VAPID key pair: remove it to generate a new one`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const keys = webpush.generateVAPIDKeys();
  try {
    fs.writeFileSync(file, JSON.stringify(keys), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process started at the same moment and wrote its pair first: use that one.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return storedKeys(dataDir);
    throw error;
  }
  return keys;
}
