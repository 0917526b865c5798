// Links as people type them: in Chinese sentences, between full-width commas and ideographic stops, in brackets or quotes, with or without a scheme.

/** Characters that end a link: whitespace, quotes and brackets of any width, and Chinese punctuation (never part of a URL as typed). */
const SEPARATORS = /[\s<>"'`，。、；：！？（）【】《》「」『』“”‘’〈〉〔〕［］｛｝…—｜]+/u;
/** Trailing characters a sentence puts after a link. */
const TRAILING = /[.,;:!?)\]}*_~]+$/;
const WITH_SCHEME = /^https?:\/\/[^\s/]+/i;

/** Whether `input` starts with a scheme (`https:`, `mailto:`, `javascript:`): what was typed without one gets one added. */
export const hasScheme = (input: string) => /^[a-z][a-z\d+.-]*:/i.test(input);
/**
 * A host with a dot and a top-level domain of letters (`example.com/feed`, `www.ithome.com`), or an IPv4 address (a self-hosted
 * RSSHub: `192.168.1.10:1200/rss`), optionally a port and a path.
 */
const BARE = /^(?:(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,24}|\d{1,3}(?:\.\d{1,3}){3})(?::\d{2,5})?(?:[/?#]\S*)?$/i;

/**
 * The links in `text`, in order, each once: `http(s)://…` as written, and with `bare` also scheme-less ones
 * (`example.com/feed.xml`), returned as written (the caller adds a scheme). A closing bracket stays when the link opened one
 * (`https://zh.wikipedia.org/wiki/RSS_(文件格式)`).
 */
export function urlsInText(text: string, options: { bare?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const raw of text.split(SEPARATORS)) {
    let token = raw.replace(/^[(\[{]+/, '');
    while (TRAILING.test(token)) {
      const last = token[token.length - 1]!;
      if ((last === ')' && count(token, '(') >= count(token, ')')) || (last === ']' && count(token, '[') >= count(token, ']'))) break;
      token = token.slice(0, -1);
    }
    if (!token) continue;
    const ok = WITH_SCHEME.test(token) || (options.bare === true && !hasScheme(token) && BARE.test(token));
    if (ok && !out.includes(token)) out.push(token);
  }
  return out;
}

function count(s: string, c: string): number {
  let n = 0;
  for (const ch of s) if (ch === c) n++;
  return n;
}
