// The server's configuration: read from the environment once, validated, then passed down explicitly.
import path from 'node:path';
import { z } from 'zod';
import { isRegionCode } from '../common/address.ts';

// The defaults live here, not in the domain modules that use them: config imports no domain code.

export type InvitationLimits = {
  perSenderHour: number;
  perOrganizationDay: number;
  perAddressDay: number;
  perCallingCodeDay: number;
};

/** The server's limits unless configured (`INVITATIONS_*`, README). */
export const DEFAULT_INVITATION_LIMITS: InvitationLimits = {
  perSenderHour: 20,
  perOrganizationDay: 500,
  perAddressDay: 3,
  perCallingCodeDay: 200
};

/** SMS goes to these regions when an organization has not chosen its own: EU/EEA, CH, GB, US, CA. */
export const DEFAULT_SMS_COUNTRIES: readonly string[] = [
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
  'CH',
  'GB',
  'US',
  'CA'
];

/** Sign-in codes texted to one country calling code per day, unless configured. */
export const DEFAULT_SIGN_IN_SMS_PER_CALLING_CODE_DAY = 200;

const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === '' ? undefined : value))
    .refine(
      (value) => value === undefined || protocols.some((p) => value.startsWith(`${p}:`)),
      `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`
    )
    .refine((value) => value === undefined || URL.canParse(value), 'is not a valid URL');

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => (value === '' ? undefined : value));

const positiveInteger = (fallback: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value) => (value === undefined || value === '' ? String(fallback) : value))
    .pipe(z.string().regex(/^[0-9]+$/, 'must be a positive whole number'))
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be a positive whole number').max(1_000_000_000));

/** A comma-separated list of ISO regions (`FR,DE,GB`); empty or unset means `fallback`. */
const regionList = (fallback: readonly string[]) =>
  z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((code) => code.trim().toUpperCase())
        .filter((code) => code !== '')
    )
    .refine(
      (codes) => codes.every(isRegionCode),
      'must be ISO country codes separated by commas, e.g. FR,DE,GB'
    )
    .transform((codes): readonly string[] => (codes.length > 0 ? [...new Set(codes)] : fallback));

/** A key given as base64url without padding, of an exact decoded length. */
const base64urlBytes = (bytes: number, what: string) =>
  z
    .string()
    .refine(
      (value) => /^[A-Za-z0-9_-]+$/.test(value) && Buffer.from(value, 'base64url').length === bytes,
      `must be ${what}: ${bytes} bytes in base64url`
    )
    .optional();

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().trim().min(1).default('./data'),
  DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
  SQLITE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  PUBLIC_URL: optionalUrl(['http', 'https']),
  SMTP_URL: optionalUrl(['smtp', 'smtps']),
  MAIL_FROM: optionalText.pipe(
    z
      .string()
      .regex(/^(?:[^<>]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/, 'must be an email address')
      .optional()
  ),
  SMS_API_URL: optionalUrl(['http', 'https']),
  SMS_ACCOUNT_SID: optionalText,
  SMS_AUTH_TOKEN: optionalText,
  SMS_FROM: optionalText,
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  SECRET_KEY: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  VAPID_PUBLIC_KEY: optionalText.pipe(base64urlBytes(65, 'an uncompressed P-256 public key')),
  VAPID_PRIVATE_KEY: optionalText.pipe(base64urlBytes(32, 'a P-256 private key')),
  VAPID_SUBJECT: optionalText.pipe(
    z
      .string()
      .regex(/^(?:mailto:\S+@\S+|https:\/\/\S+)$/, 'must be a mailto: address or an https:// URL')
      .optional()
  ),
  INVITATIONS_PER_SENDER_HOUR: positiveInteger(DEFAULT_INVITATION_LIMITS.perSenderHour),
  INVITATIONS_PER_ORGANIZATION_DAY: positiveInteger(DEFAULT_INVITATION_LIMITS.perOrganizationDay),
  INVITATIONS_PER_ADDRESS_DAY: positiveInteger(DEFAULT_INVITATION_LIMITS.perAddressDay),
  INVITATIONS_PER_CALLING_CODE_DAY: positiveInteger(DEFAULT_INVITATION_LIMITS.perCallingCodeDay),
  SMS_COUNTRIES: regionList(DEFAULT_SMS_COUNTRIES),
  SIGN_IN_SMS_PER_CALLING_CODE_DAY: positiveInteger(DEFAULT_SIGN_IN_SMS_PER_CALLING_CODE_DAY)
});

export type Config = {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  dataDir: string;
  /** `undefined` means the embedded SQLite database in `dataDir`. */
  databaseUrl: string | undefined;
  /**
   * SQLite durability: NORMAL (WAL) survives a process crash but may lose the last commits on a
   * power cut; FULL syncs every commit to disk.
   */
  sqliteSynchronous: 'NORMAL' | 'FULL';
  /** Origin the app is reached at; links in emails and SMS point here. */
  publicUrl: string;
  mail: { smtpUrl: string; from: string } | undefined;
  sms: { apiUrl: string; accountSid: string; authToken: string; from: string } | undefined;
  /** Keys the one-time-code hashes; generated into `dataDir` when unset (single instance). */
  secretKey: string | undefined;
  /** The VAPID key pair (RFC 8292) signing Web Push; generated into `dataDir` when unset. */
  vapidKeys: { publicKey: string; privateKey: string } | undefined;
  /** The contact push services are given in the VAPID token: a mailto: or https: URI. */
  vapidSubject: string;
  /** Behind a reverse proxy, the client's IP is the last X-Forwarded-For hop. */
  trustProxy: boolean;
  /** How many invitations may be started or resent (docs/external-contacts.md, Limits). */
  invitationLimits: InvitationLimits;
  /**
   * The only regions any SMS goes to, server-wide: sign-in codes, and invitations whatever an
   * organization's own list says (docs/decisions.md, Accounts and sign-in).
   */
  smsCountries: readonly string[];
  /** Sign-in codes texted to one country calling code per day, from anyone. */
  signInSmsPerCallingCodeDay: number;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const SMS_VARIABLES = ['SMS_API_URL', 'SMS_ACCOUNT_SID', 'SMS_AUTH_TOKEN', 'SMS_FROM'] as const;

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`
    );
    throw new ConfigError(`Invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = parsed.data;
  const problems: string[] = [];

  const smsSet = SMS_VARIABLES.filter((name) => e[name] !== undefined);
  if (smsSet.length > 0 && smsSet.length < SMS_VARIABLES.length) {
    const missing = SMS_VARIABLES.filter((name) => e[name] === undefined);
    problems.push(`${missing.join(', ')}: required when ${smsSet.join(', ')} is set`);
  }
  if (e.MAIL_FROM === undefined && e.SMTP_URL !== undefined) {
    problems.push('MAIL_FROM: required when SMTP_URL is set');
  }
  if (e.NODE_ENV === 'production') {
    // In production a missing provider must stop the server, not silently fill a dev outbox.
    if (e.SMTP_URL === undefined) problems.push('SMTP_URL: required when NODE_ENV=production');
    if (smsSet.length === 0) problems.push('SMS_API_URL: required when NODE_ENV=production');
    if (e.PUBLIC_URL === undefined) problems.push('PUBLIC_URL: required when NODE_ENV=production');
    if (e.DATABASE_URL !== undefined && e.SECRET_KEY === undefined) {
      problems.push('SECRET_KEY: required when several instances share DATABASE_URL');
    }
    if (e.DATABASE_URL !== undefined && e.VAPID_PUBLIC_KEY === undefined) {
      problems.push('VAPID_PUBLIC_KEY: required when several instances share DATABASE_URL');
    }
  }
  if ((e.VAPID_PUBLIC_KEY === undefined) !== (e.VAPID_PRIVATE_KEY === undefined)) {
    problems.push('VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY: set both or neither');
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }

  const publicUrl = new URL(e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).origin;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    sqliteSynchronous: e.SQLITE_SYNCHRONOUS,
    publicUrl,
    mail: e.SMTP_URL ? { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM ?? '' } : undefined,
    sms:
      e.SMS_API_URL && e.SMS_ACCOUNT_SID && e.SMS_AUTH_TOKEN && e.SMS_FROM
        ? {
            apiUrl: e.SMS_API_URL,
            accountSid: e.SMS_ACCOUNT_SID,
            authToken: e.SMS_AUTH_TOKEN,
            from: e.SMS_FROM
          }
        : undefined,
    secretKey: e.SECRET_KEY,
    vapidKeys:
      e.VAPID_PUBLIC_KEY && e.VAPID_PRIVATE_KEY
        ? { publicKey: e.VAPID_PUBLIC_KEY, privateKey: e.VAPID_PRIVATE_KEY }
        : undefined,
    // Apple's push service refuses a localhost contact, so plain-http origins get a mailto.
    vapidSubject:
      e.VAPID_SUBJECT ??
      (publicUrl.startsWith('https:') ? publicUrl : 'mailto:push@parley.invalid'),
    trustProxy: e.TRUST_PROXY === 'true',
    invitationLimits: {
      perSenderHour: e.INVITATIONS_PER_SENDER_HOUR,
      perOrganizationDay: e.INVITATIONS_PER_ORGANIZATION_DAY,
      perAddressDay: e.INVITATIONS_PER_ADDRESS_DAY,
      perCallingCodeDay: e.INVITATIONS_PER_CALLING_CODE_DAY
    },
    smsCountries: e.SMS_COUNTRIES,
    signInSmsPerCallingCodeDay: e.SIGN_IN_SMS_PER_CALLING_CODE_DAY
  };
}

/** Outside production, a channel without a provider keeps its messages in the dev outbox. */
export function usesDevOutbox(config: Config): boolean {
  return config.env !== 'production' && (config.mail === undefined || config.sms === undefined);
}
