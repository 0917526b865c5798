// When feeds are polled next: hints stretch the interval, failures back off exponentially, a day at most.
import { describe, expect, it } from 'vitest';
import { DAY_MS, nextPollAfterFailure, nextPollAfterSuccess } from '../../src/core/schedule.js';

const MIN = 60_000;

describe('nextPollAfterSuccess', () => {
  it.each([
    [{}, 10 * MIN],
    [{ ttlMinutes: 60 }, 60 * MIN],
    [{ ttlMinutes: 1 }, 10 * MIN],
    [{ maxAgeMs: 30 * MIN }, 30 * MIN],
    [{ retryAfterMs: 2 * 3_600_000 }, 2 * 3_600_000],
    [{ ttlMinutes: 60 * 24 * 7 }, DAY_MS],
  ])('hints %o wait %i ms', (hints, wait) => {
    expect(nextPollAfterSuccess(1000, 10 * MIN, hints)).toBe(1000 + wait);
  });
});

describe('nextPollAfterFailure', () => {
  it.each([
    [1, 10 * MIN],
    [2, 20 * MIN],
    [3, 40 * MIN],
    [6, 320 * MIN],
    [9, DAY_MS],
    [50, DAY_MS],
  ])('after %i failures wait %i ms', (errors, wait) => {
    expect(nextPollAfterFailure(0, 10 * MIN, errors)).toBe(wait);
  });

  it('waits at least what Retry-After asks', () => {
    expect(nextPollAfterFailure(0, 10 * MIN, 1, 3 * 3_600_000)).toBe(3 * 3_600_000);
  });
});
