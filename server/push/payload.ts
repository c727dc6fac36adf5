// What a push notification says (docs/notifications.md): the sender with the External mark for
// people outside, the group's name, and the text unless previews are off; a message request
// says only who asks. Written in the recipient's language.
import { createHash } from 'node:crypto';
import type { Locale } from '../store/schema.ts';
import { sanitizeDisplayName } from '../domain/names.ts';

/** The encrypted payload the service worker reads (src/service-worker.ts). */
export type PushPayload = {
  chatId: string;
  title: string;
  body: string;
  /** One notification per chat: a later one replaces it. */
  tag: string;
  kind: 'message' | 'request';
  /** The recipient's unread messages, for the app icon's badge. */
  unread: number;
};

/** Room for the title, the JSON and the encryption within a push service's 4 KB. */
const MAX_PREVIEW_CHARACTERS = 200;

const WORDS: Record<
  Locale,
  { newMessage: string; request: string; personal: string; external: string }
> = {
  en: {
    newMessage: 'New message',
    request: 'Message request',
    personal: 'personal account',
    external: 'External'
  },
  fr: {
    newMessage: 'Nouveau message',
    request: 'Demande de discussion',
    personal: 'compte personnel',
    external: 'Externe'
  }
};

export type Author = { name: string; organizationName: string | null; external: boolean };

export function chatTag(chatId: string): string {
  return `chat:${chatId}`;
}

/** Per chat, opaque (the push service sees it) and within RFC 8030's 32 base64url characters. */
export function chatTopic(chatId: string): string {
  return createHash('sha256').update(chatId).digest('base64url').slice(0, 32);
}

function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const characters = [...oneLine];
  return characters.length > MAX_PREVIEW_CHARACTERS
    ? `${characters.slice(0, MAX_PREVIEW_CHARACTERS - 1).join('')}…`
    : oneLine;
}

export function messagePayload(input: {
  chatId: string;
  chatName: string | null;
  author: Author;
  text: string;
  previews: boolean;
  locale: Locale;
  unread: number;
}): PushPayload {
  const words = WORDS[input.locale];
  const name = sanitizeDisplayName(input.author.name);
  const sender = input.author.external ? `${name} (${words.external})` : name;
  const body = input.previews ? preview(input.text) : words.newMessage;
  return {
    chatId: input.chatId,
    title: input.chatName === null ? sender : `${sender} · ${input.chatName}`,
    body,
    tag: chatTag(input.chatId),
    kind: 'message',
    unread: input.unread
  };
}

/** Who asks, and nothing they wrote. */
export function requestPayload(input: {
  chatId: string;
  author: Author;
  locale: Locale;
  unread: number;
}): PushPayload {
  const words = WORDS[input.locale];
  const from = input.author.organizationName ?? words.personal;
  return {
    chatId: input.chatId,
    title: words.request,
    body: `${sanitizeDisplayName(input.author.name)} · ${from} · ${words.external}`,
    tag: chatTag(input.chatId),
    kind: 'request',
    unread: input.unread
  };
}
