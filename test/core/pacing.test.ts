// Telegram's limits as a schedule: the global pace in bursts, one message per second per chat, 20 a minute per group, 429 pauses.
import { describe, expect, it } from 'vitest';
import { createPacing } from '../../src/core/pacing.js';

const limits = { rate: 10, chatGapMs: 1000, groupPerMinute: 20 };

describe('pacing', () => {
  it('sends in bursts of a quarter second’s share of the rate, on a fixed grid, catching up a late timer', () => {
    const p = createPacing(limits); // 10 a second: bursts of 2 every 200 ms
    p.begin(1, 0);
    expect(p.globalReadyAt()).toBeLessThanOrEqual(0); // the burst has room for one more
    p.begin(2, 0);
    expect(p.globalReadyAt()).toBe(200);
    p.end(1, 5);
    p.end(2, 5);
    p.begin(3, 230); // the timer fired 30 ms late: the next slot stays at 400
    p.begin(4, 230);
    expect(p.globalReadyAt()).toBe(400);
    p.end(3, 235);
    p.end(4, 235);
    p.begin(5, 5000); // after an idle spell: the grid starts again, one burst, no more
    p.begin(6, 5000);
    expect(p.globalReadyAt()).toBe(5200);
  });

  it('never lets more than 30 go in a second as Telegram counts them: from its answers, so a late burst cannot meet the next', () => {
    const p = createPacing({ ...limits, rate: 28 }); // bursts of 7 every 250 ms
    let now = 0;
    for (let burst = 0; burst < 4; burst++, now += 250) {
      for (let i = 0; i < 7; i++) p.begin(burst * 10 + i, now);
      // The first burst was answered 100 ms late (a slow network): Telegram counted it then.
      for (let i = 0; i < 7; i++) p.end(burst * 10 + i, now + (burst === 0 ? 100 : 2));
    }
    expect(p.globalReadyAt()).toBe(1000); // 28 in the last second: two more may go at the grid's next slot
    p.begin(100, 1000);
    p.begin(101, 1000);
    expect(p.globalReadyAt()).toBe(1100); // the rest of the burst waits until the late one's answers leave the second
    p.end(100, 1003);
    p.end(101, 1003);
    expect(p.globalReadyAt()).toBe(1100);
  });

  it('lets an answer to a person go between bursts, within Telegram’s second', () => {
    const p = createPacing({ ...limits, rate: 28 });
    for (let i = 0; i < 7; i++) p.begin(i, 0);
    expect(p.globalReadyAt()).toBe(250);
    expect(p.globalReadyAt(true)).toBeLessThanOrEqual(0);
    p.begin(50, 1); // an answer past the full burst: the next burst is one smaller, so the rate holds
    for (let i = 51; i < 57; i++) p.begin(i, 250);
    expect(p.globalReadyAt()).toBe(500);
    for (let i = 7; i < 23; i++) p.begin(i, 260);
    expect(p.globalReadyAt(true)).toBe(Infinity); // 30 on their way: even an answer waits
  });

  it('waits for an answer when a second’s worth is still on its way', () => {
    const p = createPacing({ ...limits, rate: 28 });
    for (let i = 0; i < 30; i++) p.begin(i, Math.floor(i / 7) * 250);
    expect(p.globalReadyAt()).toBe(Infinity);
    p.end(0, 1200);
    expect(p.globalReadyAt()).toBe(2200);
  });

  it('sends one message at a time to a chat, a second apart', () => {
    const p = createPacing(limits);
    p.begin(7, 0);
    expect(p.chatReadyAt(7, 0, 10)).toBeUndefined();
    p.end(7, 5);
    expect(p.chatReadyAt(7, 0, 10)).toBe(1000);
    expect(p.chatReadyAt(7, 3000, 10)).toBe(3000); // the message's own notBefore
  });

  it('keeps a group to 20 messages a minute', () => {
    const p = createPacing(limits);
    for (let i = 0; i < 20; i++) {
      p.begin(-5, i * 1000);
      p.end(-5, i * 1000 + 5);
    }
    expect(p.chatReadyAt(-5, 0, 20_000)).toBe(60_000);
    expect(p.chatReadyAt(-5, 0, 61_000)).toBeLessThanOrEqual(61_000); // the oldest has left the window
  });

  it('does not limit private chats per minute', () => {
    const p = createPacing(limits);
    for (let i = 0; i < 30; i++) {
      p.begin(5, i * 1000);
      p.end(5, i * 1000 + 5);
    }
    expect(p.chatReadyAt(5, 0, 30_000)).toBe(30_000);
  });

  it('pauses a chat after a 429', () => {
    const p = createPacing(limits);
    p.pause(9, 7000);
    expect(p.chatReadyAt(9, 0, 0)).toBe(7000);
  });
});
