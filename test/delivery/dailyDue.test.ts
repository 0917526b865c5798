// When a chat's daily digest is due: its own time in its own zone, once per local day.
import { describe, expect, it } from 'vitest';
import { newChat, type ChatSettings } from '../../src/core/model.js';
import { isDigestDue } from '../../src/delivery/dailyDigest.js';

const chat = (over: Partial<ChatSettings>): ChatSettings => ({ ...newChat(1, 'private', { digestTime: '08:00', timezone: 'Asia/Shanghai' }, 0), mode: 'daily', ...over });

describe('isDigestDue', () => {
  it.each([
    ['before the time', {}, '2026-11-24T07:59:00+08:00', false],
    ['at the time', {}, '2026-11-24T08:00:00+08:00', true],
    ['later that day, not yet sent', {}, '2026-11-24T23:00:00+08:00', true],
    ['already sent today', { lastDigestDay: '2026-11-24' }, '2026-11-24T09:00:00+08:00', false],
    ['sent yesterday', { lastDigestDay: '2026-11-23' }, '2026-11-24T08:01:00+08:00', true],
    ['instant mode', { mode: 'instant' as const }, '2026-11-24T09:00:00+08:00', false],
    ['an inactive chat', { active: false }, '2026-11-24T09:00:00+08:00', false],
    ['another zone: 08:00 in Berlin is 15:00 in Shanghai', { timezone: 'Europe/Berlin' }, '2026-11-24T14:59:00+08:00', false],
    ['another zone, reached', { timezone: 'Europe/Berlin' }, '2026-11-24T15:00:00+08:00', true],
    ['a time written without its leading zero', { digestTime: '8:30' }, '2026-11-24T08:29:00+08:00', false],
  ])('%s', (_name, over, at, due) => {
    expect(isDigestDue(chat(over), Date.parse(at))).toBe(due);
  });
});
