// A page's digest from an address as a person typed it: with a scheme as it is; without one, https first and plain http when https does not connect.
import { hasScheme, urlsInText } from '../core/urlsInText.js';
import { isConnectionFailure } from '../feeds/safeFetch.js';
import type { Summarizer } from './summarize.js';

export async function forTypedUrl(summarizer: Pick<Summarizer, 'forUrl'>, input: string): ReturnType<Summarizer['forUrl']> {
  // With a scheme, or not an address at all (refused as such by the fetch): as it is.
  if (hasScheme(input) || urlsInText(input, { bare: true })[0] !== input) return summarizer.forUrl(input);
  try {
    return await summarizer.forUrl(`https://${input}`);
  } catch (error) {
    // The site may speak plain http only (as /sub assumes too).
    if (isConnectionFailure(error)) return summarizer.forUrl(`http://${input}`);
    throw error;
  }
}
