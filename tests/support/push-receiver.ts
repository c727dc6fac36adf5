// A push service on loopback for the specs: hands out subscriptions with real P-256 keys, and
// for each push checks the VAPID token (RFC 8292) against the server's public key and decrypts
// the aes128gcm payload (RFC 8291) with the subscription's private key, as a browser would.
import {
  createECDH,
  createHmac,
  createDecipheriv,
  createPublicKey,
  randomBytes,
  verify
} from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedPush = {
  subscription: string;
  headers: { ttl: string; urgency: string; topic: string };
  payload: Record<string, unknown>;
};

type Subscriber = { ecdh: ReturnType<typeof createECDH>; auth: Buffer; status: number[] };

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/** HKDF (RFC 5869) with one block of output, which is all RFC 8291 needs. */
const hkdf = (salt: Buffer, ikm: Buffer, info: Buffer, length: number) =>
  hmac(hmac(salt, ikm), Buffer.concat([info, Buffer.from([1])])).subarray(0, length);

function decrypt(subscriber: Subscriber, body: Buffer): string {
  const salt = body.subarray(0, 16);
  const idLength = body.readUInt8(20);
  const serverKey = body.subarray(21, 21 + idLength);
  const cipherText = body.subarray(21 + idLength);
  const userKey = subscriber.ecdh.getPublicKey();
  const secret = subscriber.ecdh.computeSecret(serverKey);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), userKey, serverKey]);
  const ikm = hkdf(subscriber.auth, secret, keyInfo, 32);
  const cek = hkdf(salt, ikm, Buffer.from('Content-Encoding: aes128gcm\0'), 16);
  const nonce = hkdf(salt, ikm, Buffer.from('Content-Encoding: nonce\0'), 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(cipherText.subarray(cipherText.length - 16));
  const padded = Buffer.concat([
    decipher.update(cipherText.subarray(0, cipherText.length - 16)),
    decipher.final()
  ]);
  // The last record ends with 0x02, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end).toString('utf8');
}

/** Checks `vapid t=<jwt>, k=<key>`: signed by `publicKey`, for this origin, not expired. */
function checkVapid(authorization: string, publicKey: string, origin: string) {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization);
  if (!match?.[1] || match[2] !== publicKey) throw new Error(`bad Authorization: ${authorization}`);
  const [header, claims, signature] = match[1].split('.');
  if (!header || !claims || !signature) throw new Error('malformed JWT');
  const raw = Buffer.from(publicKey, 'base64url');
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: raw.subarray(1, 33).toString('base64url'),
      y: raw.subarray(33, 65).toString('base64url')
    },
    format: 'jwk'
  });
  const signed = verify(
    'sha256',
    Buffer.from(`${header}.${claims}`),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url')
  );
  if (!signed) throw new Error('VAPID signature does not verify');
  const body = JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as {
    aud: string;
    exp: number;
    sub: string;
  };
  const now = Date.now() / 1000;
  if (body.aud !== origin) throw new Error(`JWT audience ${body.aud}, expected ${origin}`);
  if (!(body.exp > now && body.exp <= now + 24 * 3600)) throw new Error('JWT expiry out of range');
  if (!/^(mailto:|https:)/.test(body.sub)) throw new Error('JWT subject is no contact');
}

export class PushReceiver {
  readonly received: ReceivedPush[] = [];
  /** What went wrong with a push (a bad token, a payload that did not decrypt). */
  readonly problems: string[] = [];
  private readonly subscribers = new Map<string, Subscriber>();
  private server: http.Server | null = null;
  private origin = '';

  constructor(private readonly vapidPublicKey: string) {}

  async start(): Promise<this> {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const id = (request.url ?? '').replace(/^\/push\//, '');
        const subscriber = this.subscribers.get(id);
        if (!subscriber) return response.writeHead(404).end();
        const status =
          subscriber.status.length > 1 ? subscriber.status.shift() : subscriber.status[0];
        if (status !== 201) return response.writeHead(status ?? 500).end();
        try {
          checkVapid(request.headers.authorization ?? '', this.vapidPublicKey, this.origin);
          if (request.headers['content-encoding'] !== 'aes128gcm') throw new Error('not aes128gcm');
          const text = decrypt(subscriber, Buffer.concat(chunks));
          this.received.push({
            subscription: id,
            headers: {
              ttl: String(request.headers.ttl),
              urgency: String(request.headers.urgency),
              topic: String(request.headers.topic)
            },
            payload: JSON.parse(text) as Record<string, unknown>
          });
          response.writeHead(201).end();
        } catch (error) {
          this.problems.push(String(error));
          response.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
    return this;
  }

  /**
   * A new browser subscription, as `PushSubscription.toJSON()` gives it. `status`: the answers
   * to its pushes in turn (the last one repeats); 201 delivers.
   */
  subscription(status: number[] = [201]) {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const auth = randomBytes(16);
    const id = randomBytes(8).toString('hex');
    this.subscribers.set(id, { ecdh, auth, status });
    return {
      id,
      json: {
        endpoint: `${this.origin}/push/${id}`,
        expirationTime: null,
        keys: {
          p256dh: ecdh.getPublicKey().toString('base64url'),
          auth: auth.toString('base64url')
        }
      }
    };
  }

  for(id: string): ReceivedPush[] {
    return this.received.filter((push) => push.subscription === id);
  }

  async close() {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
