// When a feed is polled next: its interval stretched by the feed's and server's hints, exponential backoff on failure, capped at a day.

export const DAY_MS = 24 * 3_600_000;

export interface PollHints {
  /** RSS `ttl`, in minutes. */
  ttlMinutes?: number | undefined;
  /** Cache-Control max-age, in ms. */
  maxAgeMs?: number | undefined;
  /** Retry-After, in ms. */
  retryAfterMs?: number | undefined;
}

/** After a success (or a 304): the larger of the interval and every hint, never more than `capMs`. */
export function nextPollAfterSuccess(now: number, intervalMs: number, hints: PollHints = {}, capMs = DAY_MS): number {
  const wait = Math.max(intervalMs, (hints.ttlMinutes ?? 0) * 60_000, hints.maxAgeMs ?? 0, hints.retryAfterMs ?? 0);
  return now + Math.min(wait, capMs);
}

/** After the `errorCount`-th failure in a row: interval × 2^(n-1), at least Retry-After, never more than `capMs`. */
export function nextPollAfterFailure(now: number, intervalMs: number, errorCount: number, retryAfterMs = 0, capMs = DAY_MS): number {
  const exponent = Math.min(Math.max(errorCount - 1, 0), 30);
  const wait = Math.max(intervalMs * 2 ** exponent, retryAfterMs);
  return now + Math.min(wait, capMs);
}
