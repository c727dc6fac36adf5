// Links in plain-text messages, found without ever treating the text as HTML.

export type Segment = { text: string; href?: string };

// http(s) URLs and bare www. addresses; trailing punctuation is left out of the link.
const URL_PATTERN = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;

/**
 * Splits plain text into text and link segments. The UI renders segments as text nodes and <a>
 * elements, never as HTML, so a message cannot inject markup; only http(s) links are made.
 */
export function linkify(text: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let url = match[0];
    const trailing = /[.,;:!?)\]}'’]+$/.exec(url)?.[0] ?? '';
    if (trailing) url = url.slice(0, -trailing.length);
    const start = match.index;
    if (start > last) segments.push({ text: text.slice(last, start) });
    const href = url.toLowerCase().startsWith('www.') ? `https://${url}` : url;
    segments.push({ text: url, href });
    last = start + url.length;
  }
  if (last < text.length) segments.push({ text: text.slice(last) });
  return segments;
}
