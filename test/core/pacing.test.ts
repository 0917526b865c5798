// Telegram's limits as a schedule: the global pace, one message per second per chat, 20 a minute per group, 429 pauses.
import { describe, expect, it } from 'vitest';
import { createPacing } from '../../src/core/pacing.js';

const limits = { rate: 10, chatGapMs: 1000, groupPerMinute: 20 };

describe('pacing', () => {
  it('spaces messages on a fixed grid at the global rate, catching up a late timer', () => {
    const p = createPacing(limits);
    p.begin(1, 0);
    expect(p.globalReadyAt()).toBe(100);
    p.begin(2, 130); // the timer fired 30 ms late
    expect(p.globalReadyAt()).toBe(200);
    p.begin(3, 5000); // after an idle spell: one slot of credit, no more
    expect(p.globalReadyAt()).toBe(5000);
    p.begin(4, 5000);
    expect(p.globalReadyAt()).toBe(5100);
  });

  it('sends one message at a time to a chat, a second apart', () => {
    const p = createPacing(limits);
    p.begin(7, 0);
    expect(p.chatReadyAt(7, 0, 10)).toBeUndefined();
    p.end(7);
    expect(p.chatReadyAt(7, 0, 10)).toBe(1000);
    expect(p.chatReadyAt(7, 3000, 10)).toBe(3000); // the message's own notBefore
  });

  it('keeps a group to 20 messages a minute', () => {
    const p = createPacing(limits);
    for (let i = 0; i < 20; i++) {
      p.begin(-5, i * 1000);
      p.end(-5);
    }
    expect(p.chatReadyAt(-5, 0, 20_000)).toBe(60_000);
    expect(p.chatReadyAt(-5, 0, 61_000)).toBeLessThanOrEqual(61_000); // the oldest has left the window
  });

  it('does not limit private chats per minute', () => {
    const p = createPacing(limits);
    for (let i = 0; i < 30; i++) {
      p.begin(5, i * 1000);
      p.end(5);
    }
    expect(p.chatReadyAt(5, 0, 30_000)).toBe(30_000);
  });

  it('pauses a chat after a 429', () => {
    const p = createPacing(limits);
    p.pause(9, 7000);
    expect(p.chatReadyAt(9, 0, 0)).toBe(7000);
  });
});
