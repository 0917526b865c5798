// An article URL's identity: tracking parameters, fragment and default port removed, host lower-cased, query sorted.

const TRACKING = [
  /^utm_/i, /^fbclid$/i, /^gclid$/i, /^dclid$/i, /^msclkid$/i, /^mc_(cid|eid)$/i, /^_hs(enc|mi)$/i, /^igshid$/i,
  /^spm$/i, /^scm$/i, /^from$/i, /^isappinstalled$/i, /^share_token$/i, /^share_source$/i, /^ref_src$/i,
  /^ref$/i, /^source$/i, /^yclid$/i, /^wt_mc$/i, /^__twitter_impression$/i, /^rss$/i, /^feed$/i,
];

/** Returns the canonical form of an absolute http(s) URL, or undefined when it is not one. */
export function canonicalUrl(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  url.username = '';
  url.password = '';
  url.hostname = url.hostname.toLowerCase().replace(/\.$/, '');
  // URL already drops :80 for http and :443 for https.
  const kept = [...url.searchParams.entries()].filter(([name]) => !TRACKING.some((re) => re.test(name)));
  kept.sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a < b ? -1 : 1));
  url.search = '';
  for (const [name, value] of kept) url.searchParams.append(name, value);
  let out = url.href;
  if (out.endsWith('?')) out = out.slice(0, -1);
  return out;
}

/** Click-tracking parameters only: a feed URL keeps the rest (WordPress's `?feed=rss2` names the feed). */
const FEED_TRACKING = [/^utm_/i, /^fbclid$/i, /^gclid$/i, /^dclid$/i, /^msclkid$/i, /^mc_(cid|eid)$/i, /^_hs(enc|mi)$/i, /^igshid$/i, /^yclid$/i];

/** A feed URL as fetched: fragment, credentials and click-tracking parameters removed, host lower-cased (default ports go by themselves). */
export function cleanFeedUrl(url: URL): string {
  const u = new URL(url.href);
  u.hash = '';
  u.hostname = u.hostname.toLowerCase().replace(/\.$/, '');
  for (const name of [...u.searchParams.keys()]) if (FEED_TRACKING.some((re) => re.test(name))) u.searchParams.delete(name);
  return u.href.replace(/\?$/, '');
}

/** A feed's identity: its clean URL without a trailing slash on the path, so `/feed/` and `/feed` are one feed. */
export function feedIdentity(url: string): string {
  const u = new URL(url);
  if (u.pathname.length > 1) u.pathname = u.pathname.replace(/\/+$/, '');
  return u.href;
}

/** Resolves a possibly relative link against a base; undefined when it cannot be made absolute http(s). */
export function absoluteUrl(link: string | undefined, base: string | undefined): string | undefined {
  if (!link) return undefined;
  try {
    const url = new URL(link.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
