// What needs no network to refuse: words that are no address, a scheme other than http(s), a literal private IP not allowed.
import ipaddr from 'ipaddr.js';
import { hasScheme, urlsInText } from '../core/urlsInText.js';
import { isAllowedPrivate, isPublicAddress, type AllowList } from './addressPolicy.js';
import { FetchError } from './safeFetch.js';

/** The FetchError a fetch of `input` would end in without reaching any server, or undefined when only a fetch can tell. */
export function obviousRefusal(input: string, allow: AllowList): FetchError | undefined {
  const schemed = hasScheme(input);
  if (!schemed && urlsInText(input, { bare: true })[0] !== input) return new FetchError('bad-url', input, 'not a valid URL');
  let url: URL;
  try {
    url = new URL(schemed ? input : `https://${input}`);
  } catch {
    return new FetchError('bad-url', input, 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return new FetchError('bad-url', url.href, `only http and https URLs can be fetched, not ${url.protocol}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!ipaddr.isValid(host)) return undefined; // a name: only its resolution tells
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (isPublicAddress(host) || isAllowedPrivate({ host, port }, allow)) return undefined;
  return new FetchError('refused', url.href, `refused: ${host} is not a public address`);
}
