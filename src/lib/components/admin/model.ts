// The admin page's decisions that are not layout: what a change will do, what a field accepts,
// which field a server refusal belongs to. Returns message keys, so it is testable without a locale.
import { ApiError } from '$lib/api/client';
import type { AdminSettings, Effects, SettingsPatch } from '$lib/api/admin';
import type { Locale } from '$lib/api/types';
import type { MessageKey } from '$lib/i18n';
import { pluralKey } from '$lib/i18n/plural';
import { DEFAULT_REQUEST_CAP } from '$common/protocol';

export const CAP_MIN = 1;
export const CAP_MAX = DEFAULT_REQUEST_CAP;

/** Turning outbound or inbound chat off can cut conversations: it is previewed and confirmed. */
export function needsPreview(current: AdminSettings, patch: SettingsPatch): boolean {
  return (
    (patch.outboundExternal === false && current.outboundExternal) ||
    (patch.inboundExternal === false && current.inboundExternal)
  );
}

export type Line = { key: MessageKey; params?: Record<string, number> };

/**
 * "3 external chats become read-only for both sides", "2 pending requests are hidden", in the
 * plural form `language` gives each count.
 */
export function effectLines(effects: Effects, language: Locale): Line[] {
  const lines: Line[] = [];
  const counted = [
    ['admin.effects.readOnly', effects.readOnlyChats],
    ['admin.effects.hidden', effects.hiddenRequests]
  ] as const;
  for (const [base, count] of counted) {
    if (count > 0) lines.push({ key: pluralKey(language, base, count), params: { count } });
  }
  if (lines.length === 0) lines.push({ key: 'admin.effects.none' });
  return lines;
}

export type WholeNumber =
  { ok: true; value: number } | { ok: false; problem: 'empty' | 'not_whole' | 'range' };

/** A typed count; what was typed stays in the field whatever the answer. */
export function readWholeNumber(
  raw: string | number | null,
  min: number,
  max?: number
): WholeNumber {
  const text = String(raw ?? '').trim();
  if (text === '') return { ok: false, problem: 'empty' };
  if (!/^\d+$/.test(text)) return { ok: false, problem: 'not_whole' };
  const value = Number(text);
  if (value < min || (max !== undefined && value > max)) return { ok: false, problem: 'range' };
  return { ok: true, value };
}

/** `fr`, ` FR ` → `FR`; null when it cannot be a two-letter region code. */
export function readCountry(raw: string): string | null {
  const code = raw.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(code) ? code : null;
}

/** The setting a settings refusal is about, so the message shows beside that field. */
export function settingOfError(error: unknown): 'requestCap' | 'smsCountries' | 'limits' | null {
  if (!(error instanceof ApiError)) return null;
  switch (error.code) {
    case 'invalid_request_cap':
      return 'requestCap';
    case 'invalid_country':
      return 'smsCountries';
    case 'invalid_limit':
      return 'limits';
    default:
      return null;
  }
}

/** `details` as sent with a 400, read defensively (an older server may send none). */
export function detail(error: unknown, name: string): string | number | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const details = error.details;
  if (typeof details !== 'object' || details === null || !(name in details)) return undefined;
  const value = (details as Record<string, unknown>)[name];
  return typeof value === 'string' || typeof value === 'number' ? value : undefined;
}

/** A member's override label: the default names the organization's current value. */
export function overrideDefaultKey(organizationValue: boolean): MessageKey {
  return organizationValue ? 'admin.override.defaultOn' : 'admin.override.defaultOff';
}

type Scalar = string | number | boolean | null;

/** An audit event's details split into "what changed from what to what" and anything else. */
export function changeOf(details: Record<string, Scalar> | null): {
  setting: string | null;
  change: { from: Scalar; to: Scalar } | null;
  others: [string, Scalar][];
} {
  const entries = Object.entries(details ?? {});
  const has = (name: string) => entries.some(([key]) => key === name);
  const change =
    has('from') || has('to') ? { from: details?.from ?? null, to: details?.to ?? null } : null;
  const setting = typeof details?.setting === 'string' ? details.setting : null;
  return {
    setting,
    change,
    others: entries.filter(([key]) => key !== 'from' && key !== 'to' && key !== 'setting')
  };
}

/** What a control says under it while and after it saves. */
export type SaveState = 'idle' | 'saving' | 'saved' | 'failed';
