// A chat's daily time in its zone: a time that DST skips goes out after the gap, east and west of UTC; a repeated time at its first showing.
import { describe, expect, it } from 'vitest';
import { localClock, nextLocalTime } from '../../src/core/localTime.js';

describe('nextLocalTime', () => {
  it.each([
    // zone, from, wanted, expected instant (UTC), local clock then
    ['America/New_York', '2026-03-07T12:00:00Z', '02:30', '2026-03-08T07:30:00Z', '03:30'], // skipped: after the gap, never an hour early
    ['Europe/Berlin', '2026-03-28T12:00:00Z', '02:30', '2026-03-29T01:30:00Z', '03:30'],
    ['America/New_York', '2026-10-31T12:00:00Z', '01:30', '2026-11-01T05:30:00Z', '01:30'], // repeated: the first 01:30 (EDT)
    ['Europe/Berlin', '2026-10-24T12:00:00Z', '02:30', '2026-10-25T00:30:00Z', '02:30'],
    ['Asia/Shanghai', '2026-11-24T00:30:00Z', '08:00', '2026-11-25T00:00:00Z', '08:00'],
    ['America/New_York', '2026-03-08T05:00:00Z', '08:00', '2026-03-08T12:00:00Z', '08:00'], // the day of the change, after it
  ])('%s from %s at %s → %s', (zone, from, wanted, expected, shown) => {
    const at = nextLocalTime(Date.parse(from), wanted, zone);
    expect(new Date(at).toISOString()).toBe(new Date(expected).toISOString());
    expect(localClock(at, zone)).toBe(shown);
  });
});
