import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_SMS_COUNTRIES, loadConfig, usesDevOutbox } from './config.ts';

describe('configuration', () => {
  it('runs with no settings at all on the embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      env: 'development',
      databaseUrl: undefined,
      sqliteSynchronous: 'NORMAL',
      mail: undefined,
      sms: undefined
    });
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.dataDir).toMatch(/\/data$/);
    expect(usesDevOutbox(config)).toBe(true);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://db/parley' }, 'DATABASE_URL'],
    [{ PUBLIC_URL: 'parley.example.com' }, 'PUBLIC_URL'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    [{ SMTP_URL: 'smtp://mail.example.com:587' }, 'MAIL_FROM'],
    [{ MAIL_FROM: 'not an address' }, 'MAIL_FROM'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ SMS_API_URL: 'https://api.sms.example' }, 'SMS_ACCOUNT_SID'],
    [{ SECRET_KEY: 'short' }, 'SECRET_KEY'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY'],
    [{ VAPID_PUBLIC_KEY: 'not-a-key' }, 'VAPID_PUBLIC_KEY'],
    [{ VAPID_PRIVATE_KEY: 'AAAA' }, 'VAPID_PRIVATE_KEY'],
    [{ VAPID_PUBLIC_KEY: 'B'.repeat(87) }, 'VAPID_PRIVATE_KEY'],
    [{ VAPID_SUBJECT: 'http://example.com' }, 'VAPID_SUBJECT'],
    [
      {
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://parley.example.com',
        SMTP_URL: 'smtp://mail.example.com',
        MAIL_FROM: 'no-reply@example.com',
        SMS_API_URL: 'https://sms.example.com',
        SMS_ACCOUNT_SID: 'a',
        SMS_AUTH_TOKEN: 'b',
        SMS_FROM: 'Parley',
        DATABASE_URL: 'postgres://db/parley',
        SECRET_KEY: 'k'.repeat(32)
      },
      'VAPID_PUBLIC_KEY'
    ],
    [{ SQLITE_SYNCHRONOUS: 'OFF' }, 'SQLITE_SYNCHRONOUS'],
    [{ NODE_ENV: 'production', PUBLIC_URL: 'https://parley.example.com' }, 'SMTP_URL'],
    [{ INVITATIONS_PER_SENDER_HOUR: '0' }, 'INVITATIONS_PER_SENDER_HOUR'],
    [{ INVITATIONS_PER_ORGANIZATION_DAY: '-5' }, 'INVITATIONS_PER_ORGANIZATION_DAY'],
    [{ INVITATIONS_PER_ADDRESS_DAY: '2.5' }, 'INVITATIONS_PER_ADDRESS_DAY'],
    [{ INVITATIONS_PER_CALLING_CODE_DAY: 'lots' }, 'INVITATIONS_PER_CALLING_CODE_DAY'],
    [{ SMS_COUNTRIES: 'FR,UK' }, 'SMS_COUNTRIES'],
    [{ SMS_COUNTRIES: 'France' }, 'SMS_COUNTRIES'],
    [{ SIGN_IN_SMS_PER_CALLING_CODE_DAY: '0' }, 'SIGN_IN_SMS_PER_CALLING_CODE_DAY']
  ])('stops on %j with a message naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });

  it('limits invitations to the documented defaults unless told otherwise', () => {
    expect(loadConfig({}).invitationLimits).toEqual({
      perSenderHour: 20,
      perOrganizationDay: 500,
      perAddressDay: 3,
      perCallingCodeDay: 200
    });
    const config = loadConfig({
      INVITATIONS_PER_SENDER_HOUR: ' 5 ',
      INVITATIONS_PER_ORGANIZATION_DAY: '1000',
      INVITATIONS_PER_ADDRESS_DAY: '1',
      INVITATIONS_PER_CALLING_CODE_DAY: ''
    });
    expect(config.invitationLimits).toEqual({
      perSenderHour: 5,
      perOrganizationDay: 1000,
      perAddressDay: 1,
      perCallingCodeDay: 200
    });
  });

  it('texts the invitations’ default countries unless SMS_COUNTRIES names others', () => {
    const defaults = loadConfig({});
    expect(defaults.smsCountries).toEqual(DEFAULT_SMS_COUNTRIES);
    expect(defaults.smsCountries).not.toContain('RU');
    expect(defaults.signInSmsPerCallingCodeDay).toBe(200);
    expect(loadConfig({ SMS_COUNTRIES: '' }).smsCountries).toEqual(DEFAULT_SMS_COUNTRIES);
    const config = loadConfig({
      SMS_COUNTRIES: ' fr, DE ,gb,FR ',
      SIGN_IN_SMS_PER_CALLING_CODE_DAY: '50'
    });
    expect(config.smsCountries).toEqual(['FR', 'DE', 'GB']);
    expect(config.signInSmsPerCallingCodeDay).toBe(50);
  });

  it('syncs every SQLite commit to disk with SQLITE_SYNCHRONOUS=FULL', () => {
    expect(loadConfig({ SQLITE_SYNCHRONOUS: 'FULL' }).sqliteSynchronous).toBe('FULL');
  });

  it('refuses production without an SMS provider, and never uses the dev outbox there', () => {
    const env = {
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://parley.example.com',
      SMTP_URL: 'smtps://user:pass@mail.example.com',
      MAIL_FROM: 'Parley <no-reply@example.com>'
    };
    expect(() => loadConfig(env)).toThrow('SMS_API_URL');
    const config = loadConfig({
      ...env,
      SMS_API_URL: 'https://api.sms.example',
      SMS_ACCOUNT_SID: 'AC123',
      SMS_AUTH_TOKEN: 'token',
      SMS_FROM: '+15005550006'
    });
    expect(usesDevOutbox(config)).toBe(false);
    expect(config.publicUrl).toBe('https://parley.example.com');
  });
});
