import { beforeAll, describe, expect, it } from 'vitest';
import type { AdminSettings } from '$lib/api/admin';
import { ApiError } from '$lib/api/client';
import { loadAdminMessages } from '$lib/i18n/catalogues';
import {
  changeOf,
  detail,
  effectLines,
  needsPreview,
  readCountry,
  readWholeNumber,
  settingOfError
} from './model';

const settings: AdminSettings = {
  outboundExternal: true,
  inboundExternal: true,
  requestCap: 10,
  smsCountries: ['FR'],
  invitationLimits: { perSenderHour: 20, perOrganizationDay: 500 },
  notificationPreviews: true
};

describe('needsPreview', () => {
  it('asks before turning outbound or inbound chat off', () => {
    expect(needsPreview(settings, { outboundExternal: false })).toBe(true);
    expect(needsPreview(settings, { inboundExternal: false })).toBe(true);
  });

  it('saves at once what cannot cut a conversation', () => {
    expect(needsPreview(settings, { outboundExternal: true })).toBe(false);
    expect(
      needsPreview({ ...settings, outboundExternal: false }, { outboundExternal: false })
    ).toBe(false);
    expect(needsPreview(settings, { requestCap: 3 })).toBe(false);
  });
});

describe('effectLines', () => {
  // The admin page loads its messages (their plural forms among them) before it shows.
  beforeAll(() => loadAdminMessages());

  it('says how many chats turn read-only and how many requests are hidden', () => {
    expect(effectLines({ readOnlyChats: 3, hiddenRequests: 2 }, 'en')).toEqual([
      { key: 'admin.effects.readOnly.other', params: { count: 3 } },
      { key: 'admin.effects.hidden.other', params: { count: 2 } }
    ]);
  });

  it('uses the singular for one', () => {
    expect(effectLines({ readOnlyChats: 1, hiddenRequests: 1 }, 'en').map((l) => l.key)).toEqual([
      'admin.effects.readOnly.one',
      'admin.effects.hidden.one'
    ]);
  });

  it('says that nothing is affected rather than saying nothing', () => {
    expect(effectLines({ readOnlyChats: 0, hiddenRequests: 0 }, 'en')).toEqual([
      { key: 'admin.effects.none' }
    ]);
  });
});

describe('readWholeNumber', () => {
  it('reads a whole number in range', () => {
    expect(readWholeNumber(' 7 ', 1, 10)).toEqual({ ok: true, value: 7 });
    expect(readWholeNumber(500, 1)).toEqual({ ok: true, value: 500 });
  });

  it('tells empty, fractional and out-of-range values apart', () => {
    expect(readWholeNumber('', 1, 10)).toEqual({ ok: false, problem: 'empty' });
    expect(readWholeNumber(null, 1, 10)).toEqual({ ok: false, problem: 'empty' });
    expect(readWholeNumber('2.5', 1, 10)).toEqual({ ok: false, problem: 'not_whole' });
    expect(readWholeNumber('-1', 1, 10)).toEqual({ ok: false, problem: 'not_whole' });
    expect(readWholeNumber('0', 1, 10)).toEqual({ ok: false, problem: 'range' });
    expect(readWholeNumber('11', 1, 10)).toEqual({ ok: false, problem: 'range' });
  });
});

describe('readCountry', () => {
  it('normalises a two-letter code and refuses anything else', () => {
    expect(readCountry(' fr ')).toBe('FR');
    expect(readCountry('FRA')).toBeNull();
    expect(readCountry('')).toBeNull();
  });
});

describe('settingOfError and detail', () => {
  it('puts each validation refusal beside its field, with its details', () => {
    const country = new ApiError(400, 'invalid_country', 'no', { country: 'ZZ' });
    const limit = new ApiError(400, 'invalid_limit', 'no', { limit: 'perSenderHour', max: 20 });
    expect(settingOfError(new ApiError(400, 'invalid_request_cap', 'no'))).toBe('requestCap');
    expect(settingOfError(country)).toBe('smsCountries');
    expect(detail(country, 'country')).toBe('ZZ');
    expect(settingOfError(limit)).toBe('limits');
    expect(detail(limit, 'max')).toBe(20);
  });

  it('leaves other failures with the control that made them', () => {
    expect(settingOfError(new ApiError(403, 'admin_only', 'no'))).toBeNull();
    expect(settingOfError(new Error('offline'))).toBeNull();
    expect(detail(new ApiError(400, 'invalid_limit', 'no'), 'max')).toBeUndefined();
  });
});

describe('changeOf', () => {
  it('splits a member override change into its setting and values', () => {
    expect(changeOf({ setting: 'outbound', from: 'default', to: 'off' })).toEqual({
      setting: 'outbound',
      change: { from: 'default', to: 'off' },
      others: []
    });
  });

  it('keeps a null "from" (the default) and unknown details', () => {
    expect(changeOf({ from: null, to: 5, extra: true })).toEqual({
      setting: null,
      change: { from: null, to: 5 },
      others: [['extra', true]]
    });
    expect(changeOf(null)).toEqual({ setting: null, change: null, others: [] });
  });
});
