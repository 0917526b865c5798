// Telegram HTML: escaping every piece of outside text, measuring length as Telegram does, splitting under 4096.

/** Telegram's limit on a message's text after entity parsing. */
export const MAX_MESSAGE = 4096;
/** What we aim for, leaving room for Telegram counting differently than we do. */
export const SAFE_MESSAGE = 4000;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

/** The text Telegram shows for our HTML: tags removed, our four entities decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** Length as Telegram counts it (UTF-16 code units of the visible text). */
export function visibleLength(html: string): number {
  return visibleText(html).length;
}

/** Cuts plain text to `max` UTF-16 units without splitting a surrogate pair, with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return text.slice(0, cut) + '…';
}

/** An http(s) URL safe for href, or undefined. */
export function safeHref(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function link(text: string, url: string | undefined): string {
  const href = safeHref(url);
  return href ? `<a href="${escapeAttr(href)}">${escapeHtml(text)}</a>` : escapeHtml(text);
}

/**
 * Packs blocks (each valid HTML on its own) into messages under the limit, in order.
 * A block that alone is too long is cut as plain text.
 */
export function packMessages(blocks: string[], limit = SAFE_MESSAGE, separator = '\n'): string[] {
  const messages: string[] = [];
  let current = '';
  // Lengths add up (every block is whole HTML, so none of its tags or entities spans a separator): each block is measured once.
  let currentLength = 0;
  const separatorLength = visibleLength(separator);
  for (let block of blocks) {
    let length = visibleLength(block);
    if (length > limit) {
      block = escapeHtml(truncate(visibleText(block), limit));
      length = visibleLength(block);
    }
    if (current && currentLength + separatorLength + length <= limit) {
      current += separator + block;
      currentLength += separatorLength + length;
    } else {
      if (current) messages.push(current);
      current = block;
      currentLength = length;
    }
  }
  if (current) messages.push(current);
  return messages;
}
