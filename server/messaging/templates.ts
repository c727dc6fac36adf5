// Fixed texts of the messages Parley sends, in the recipient's language.
import { isDisplayName, sanitizeDisplayName } from '../../common/display-name.ts';
import { MAX_NAME_LENGTH } from '../../common/limits.ts';
import type { Locale } from '../store/schema.ts';

const signInCode = {
  en: {
    subject: (code: string) => `${code} is your Parley code`,
    body: (code: string, minutes: number) =>
      `Your Parley sign-in code is ${code}.\n\nIt expires in ${minutes} minutes. If you did not ask for it, you can ignore this message: nobody can sign in without the code.`,
    sms: (code: string, minutes: number) =>
      `${code} is your Parley code. It expires in ${minutes} min. Never share it.`
  },
  fr: {
    subject: (code: string) => `${code} est votre code Parley`,
    body: (code: string, minutes: number) =>
      `Votre code de connexion Parley est ${code}.\n\nIl expire dans ${minutes} minutes. Si vous ne l’avez pas demandé, ignorez ce message : personne ne peut se connecter sans ce code.`,
    sms: (code: string, minutes: number) =>
      `${code} est votre code Parley. Il expire dans ${minutes} min. Ne le partagez jamais.`
  }
} satisfies Record<Locale, unknown>;

export function signInCodeEmail(locale: Locale, code: string, minutes: number) {
  const text = signInCode[locale];
  return { subject: text.subject(code), text: text.body(code, minutes) };
}

export function signInCodeSms(locale: Locale, code: string, minutes: number) {
  return signInCode[locale].sms(code, minutes);
}

/**
 * Who an invitation or request comes from, as the recipient will read it: the name, and the
 * verified email address or phone number the sender signed in with, so that a stranger can
 * check who writes.
 */
export type SenderLine = { name: string; organization: string | null; address: string | null };

/**
 * A name goes into a fixed text: line breaks, control and bidi characters are flattened so that
 * a name cannot forge extra lines or reorder the message around it.
 */
function oneLine(text: string): string {
  return text
    .replace(/[\p{C}\p{Z}\s]+/gu, ' ')
    .trim()
    .slice(0, MAX_NAME_LENGTH);
}

const invitation = {
  en: {
    from: (who: string, organization: string | null) =>
      organization ? `${who} from ${organization}` : who,
    subject: (from: string) => `${from} invited you to chat on Parley`,
    body: (from: string, join: string, refuse: string, days: number) =>
      `${from} would like to chat with you on Parley.\n\nJoin the conversation: ${join}\n\nThe link works once and expires in ${days} days.\n\nNot interested? Refuse all invitations from this sender: ${refuse}`,
    sms: (from: string, join: string, refuse: string) =>
      `${from} invited you to chat on Parley: ${join} Refuse: ${refuse}`
  },
  fr: {
    from: (who: string, organization: string | null) =>
      organization ? `${who} (${organization})` : who,
    subject: (from: string) => `${from} vous invite à discuter sur Parley`,
    body: (from: string, join: string, refuse: string, days: number) =>
      `${from} souhaite discuter avec vous sur Parley.\n\nRejoindre la conversation : ${join}\n\nLe lien ne sert qu’une fois et expire dans ${days} jours.\n\nPas intéressé·e ? Refuser toutes les invitations de cet expéditeur : ${refuse}`,
    sms: (from: string, join: string, refuse: string) =>
      `${from} vous invite à discuter sur Parley : ${join} Refuser : ${refuse}`
  }
} satisfies Record<Locale, unknown>;

const request = {
  en: {
    subject: (from: string) => `${from} sent you a message request on Parley`,
    body: (from: string, link: string) =>
      `${from} sent you a message request on Parley.\n\nOpen Parley to read it, then accept, decline or block: ${link}`,
    sms: (from: string, link: string) => `${from} sent you a message request on Parley: ${link}`
  },
  fr: {
    subject: (from: string) => `${from} vous a envoyé une demande de message sur Parley`,
    body: (from: string, link: string) =>
      `${from} vous a envoyé une demande de message sur Parley.\n\nOuvrez Parley pour la lire, puis l’accepter, la refuser ou bloquer l’expéditeur : ${link}`,
    sms: (from: string, link: string) =>
      `${from} vous a envoyé une demande de message sur Parley : ${link}`
  }
} satisfies Record<Locale, unknown>;

/**
 * "Name (address) from Organization". A name stored before the name rule that still carries a
 * link, an address or a number is left out: the verified address alone names the sender.
 */
function fromLine(locale: Locale, sender: SenderLine): string {
  const name = oneLine(sanitizeDisplayName(sender.name));
  const address = sender.address === null ? null : oneLine(sender.address);
  const who = address === null ? name : isDisplayName(name) ? `${name} (${address})` : address;
  const organization = sender.organization === null ? null : oneLine(sender.organization);
  return invitation[locale].from(who, organization);
}

export function invitationEmail(
  locale: Locale,
  sender: SenderLine,
  links: { join: string; refuse: string },
  days: number
) {
  const text = invitation[locale];
  const from = fromLine(locale, sender);
  return { subject: text.subject(from), text: text.body(from, links.join, links.refuse, days) };
}

export function invitationSms(
  locale: Locale,
  sender: SenderLine,
  links: { join: string; refuse: string }
) {
  return invitation[locale].sms(fromLine(locale, sender), links.join, links.refuse);
}

export function requestEmail(locale: Locale, sender: SenderLine, link: string) {
  const text = request[locale];
  const from = fromLine(locale, sender);
  return { subject: text.subject(from), text: text.body(from, link) };
}

export function requestSms(locale: Locale, sender: SenderLine, link: string) {
  return request[locale].sms(fromLine(locale, sender), link);
}

/** The best supported language for an Accept-Language header. */
export function localeFromHeader(header: string | undefined): Locale {
  const preferred = (header ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', q] = part.trim().split(';q=');
      return { tag: tag.toLowerCase(), q: q === undefined ? 1 : Number(q) };
    })
    .filter((entry) => entry.tag && Number.isFinite(entry.q))
    .sort((a, b) => b.q - a.q);
  for (const { tag } of preferred) {
    if (tag.startsWith('fr')) return 'fr';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}
