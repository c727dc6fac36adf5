// Fixed texts of the messages Parley sends, in the recipient's language.
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
