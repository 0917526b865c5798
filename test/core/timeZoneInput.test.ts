// /tz takes what people type: IANA names, common cities in Chinese or English, UTC±N; nonsense is refused.
import { describe, expect, it } from 'vitest';
import { timeZoneFrom, zoneLabel } from '../../src/core/timeZoneInput.js';

describe('timeZoneFrom', () => {
  it.each([
    ['Asia/Shanghai', 'Asia/Shanghai'],
    ['asia/tokyo', 'Asia/Tokyo'],
    ['北京', 'Asia/Shanghai'],
    ['上海', 'Asia/Shanghai'],
    ['东京', 'Asia/Tokyo'],
    ['纽约', 'America/New_York'],
    ['伦敦', 'Europe/London'],
    ['New York', 'America/New_York'],
    ['UTC+8', 'Etc/GMT-8'],
    ['utc-5', 'Etc/GMT+5'],
    ['GMT+0', 'UTC'],
    ['UTC', 'UTC'],
    ['Mars/Olympus', undefined],
    ['UTC+99', undefined],
    ['火星', undefined],
  ])('%s → %s', (input, zone) => {
    expect(timeZoneFrom(input)).toBe(zone);
  });
});

describe('zoneLabel', () => {
  it.each([
    ['Etc/GMT-8', 'UTC+8'], // IANA's sign is reversed; a reader's is not
    ['Etc/GMT+5', 'UTC-5'],
    ['UTC', 'UTC'],
    ['Etc/UTC', 'UTC'],
    ['Asia/Shanghai', 'Asia/Shanghai'],
  ])('%s reads as %s', (zone, label) => {
    expect(zoneLabel(zone)).toBe(label);
  });
});
