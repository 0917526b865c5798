// /time takes what people type, in Chinese or English; an hour past 23 says so rather than repeating the usage.
import { describe, expect, it } from 'vitest';
import { timeOfDayFrom } from '../../src/core/timeOfDayInput.js';

describe('timeOfDayFrom', () => {
  it.each([
    ['08:30', '08:30'],
    ['8:30', '08:30'],
    ['8：30', '08:30'],
    ['0830', '08:30'],
    ['9点', '09:00'],
    ['9点半', '09:30'],
    ['21点半', '21:30'],
    ['晚上9点', '21:00'],
    ['下午3点15分', '15:15'],
    ['早上7点', '07:00'],
    ['中午12点', '12:00'],
    ['9pm', '21:00'],
    ['9:30 am', '09:30'],
    ['12am', '00:00'],
  ])('%s → %s', (input, time) => {
    expect(timeOfDayFrom(input)).toEqual({ ok: true, time });
  });

  it.each([
    ['25:00', 'out-of-range'],
    ['24点', 'out-of-range'],
    ['8:75', 'out-of-range'],
    ['明天', 'not-a-time'],
    ['', 'not-a-time'],
  ])('%s is refused (%s)', (input, reason) => {
    expect(timeOfDayFrom(input)).toEqual({ ok: false, reason });
  });
});
