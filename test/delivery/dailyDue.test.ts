// When a chat's next daily digest is due: its own time in its own zone, the next time it names (never at once after a change).
import { describe, expect, it } from 'vitest';
import { newChat, type ChatSettings } from '../../src/core/model.js';
import { nextDigestAt } from '../../src/delivery/dailyDigest.js';

const chat = (over: Partial<ChatSettings>): ChatSettings => ({ ...newChat(1, 'private', { digestTime: '08:00', timezone: 'Asia/Shanghai' }, 0), mode: 'daily', ...over });
const at = (iso: string) => Date.parse(iso);

describe('nextDigestAt', () => {
  it.each([
    ['before the time: today', {}, '2026-11-24T07:59:00+08:00', '2026-11-24T08:00:00+08:00'],
    ['at the time: tomorrow', {}, '2026-11-24T08:00:00+08:00', '2026-11-25T08:00:00+08:00'],
    ['switched to daily at 14:06 with 08:00: tomorrow, not now', {}, '2026-11-24T14:06:00+08:00', '2026-11-25T08:00:00+08:00'],
    ['another zone: 08:00 in Berlin', { timezone: 'Europe/Berlin' }, '2026-11-24T14:59:00+08:00', '2026-11-24T08:00:00+01:00'],
    ['a zone west of the old one', { timezone: 'America/New_York' }, '2026-11-24T09:00:00+08:00', '2026-11-24T08:00:00-05:00'],
    ['a time written without its leading zero', { digestTime: '8:30' }, '2026-11-24T08:29:00+08:00', '2026-11-24T08:30:00+08:00'],
    ['across a DST change (Berlin, end of March)', { timezone: 'Europe/Berlin' }, '2026-03-28T09:00:00+01:00', '2026-03-29T08:00:00+02:00'],
    ['both mode too', { mode: 'both' as const }, '2026-11-24T07:00:00+08:00', '2026-11-24T08:00:00+08:00'],
  ])('%s', (_name, over, now, expected) => {
    expect(nextDigestAt(chat(over), at(now))).toBe(at(expected));
  });

  it('is never in instant mode', () => {
    expect(nextDigestAt(chat({ mode: 'instant' }), at('2026-11-24T07:00:00+08:00'))).toBeNull();
  });
});
