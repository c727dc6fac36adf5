// Small display helpers shared by the chat screens: titles, reasons, times.
import type { LocalChat, Refusal } from '$lib/db';
import { isMessageKey, t } from '$lib/i18n';
import { locale } from '$lib/state/locale.svelte';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * A group's name, or the other person's name in a 1:1 chat. The sender of a request not yet
 * accepted knows only the address they typed.
 */
export function chatTitle(chat: LocalChat, me: string | undefined): string {
  if (chat.kind === 'group') return chat.name?.trim() || t('chats.group');
  if (chat.request?.role === 'sender' && chat.request.state === 'pending') {
    return displayAddress(chat.request.address);
  }
  const other = chat.members.find((m) => m.userId !== me) ?? chat.members[0];
  return other?.name ?? t('chats.group');
}

/** The reason the server gave, in the user's language when this version knows the code. */
export function refusalText(refusal: Refusal): string {
  const key = `refusal.${refusal.code}`;
  return isMessageKey(key) ? t(key) : refusal.message;
}

type When = 'time' | 'weekday' | 'date';
const whenOptions: Record<When, Intl.DateTimeFormatOptions> = {
  time: { hour: '2-digit', minute: '2-digit' },
  weekday: { weekday: 'short', hour: '2-digit', minute: '2-digit' },
  date: { day: 'numeric', month: 'short', year: 'numeric' }
};
// Building an Intl.DateTimeFormat costs about a millisecond: a list of 100 chats needs three.
const formatters = new Map<string, Intl.DateTimeFormat>();

/** "14:05" today, "Mon 14:05" this week, else a short date. Device clocks are display-only. */
export function formatWhen(iso: string | null, now = new Date()): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const sameDay = date.toDateString() === now.toDateString();
  const withinWeek = now.getTime() - date.getTime() < 6 * 24 * 3600 * 1000;
  const when: When = sameDay ? 'time' : withinWeek ? 'weekday' : 'date';
  const key = `${locale.current}|${when}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale.current, whenOptions[when]);
    formatters.set(key, format);
  }
  return format.format(date);
}

/** An address as people read it: email as stored, a phone number grouped (+33 6 12 34 56 78). */
export function displayAddress(address: string): string {
  if (address.includes('@')) return address;
  try {
    return parsePhoneNumberFromString(address)?.formatInternational() ?? address;
  } catch {
    return address;
  }
}

/** "14 March 2026": a day, for expiry dates. */
export function formatDay(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const key = `${locale.current}|day`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale.current, { dateStyle: 'long' });
    formatters.set(key, format);
  }
  return format.format(date);
}

/** "14:05" later today, else "Mon 9 Mar, 14:05": when something ahead ends (a mute). */
export function formatUntil(iso: string, now = new Date()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const sameDay = date.toDateString() === now.toDateString();
  const key = `${locale.current}|${sameDay ? 'time' : 'ahead'}`;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(
      locale.current,
      sameDay
        ? whenOptions.time
        : { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }
    );
    formatters.set(key, format);
  }
  return format.format(date);
}

export function initialOf(name: string): string {
  return name.trim().charAt(0).toLocaleUpperCase();
}
