// Which site a URL belongs to (its registrable domain, by the public suffix list): a feed speaks for the URLs of its own site only.
import { lazy } from '../lazy.js';

/** The public-suffix list, loaded when a site is first asked for. */
const tldts = lazy<typeof import('tldts')>('tldts');

/** `news.bbc.co.uk` → `bbc.co.uk`; an IP address or a single-label host stands for itself. */
export function siteOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const host = new URL(url).hostname.toLowerCase();
    return tldts().getDomain(host, { allowPrivateDomains: true }) ?? host;
  } catch {
    return undefined;
  }
}

/** True when both URLs belong to one site. */
export function sameSite(a: string | undefined, b: string | undefined): boolean {
  const sa = siteOf(a);
  return sa !== undefined && sa === siteOf(b);
}
