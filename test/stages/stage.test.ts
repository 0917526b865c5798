// A stage claims its work in batches: one claim serves a quarter of its workers or more, never one item at a time under load.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createStage } from '../../src/stages/stage.js';

/** Sixteen workers, rechecking only when told (a timer's look would blur what the claims show). */
const sixteen = { name: 'test', concurrency: 16, log: silentLogger, recheckMs: 60_000 };

describe('stage', () => {
  it('works every due item once, claiming for a quarter of its workers or more at a time', async () => {
    const due = Array.from({ length: 200 }, (_, i) => i);
    const asked: Array<{ n: number; got: number }> = [];
    const worked: number[] = [];
    const stage = createStage<number>({
      ...sixteen,
      claim: async (n) => {
        const got = due.splice(0, n);
        asked.push({ n, got: got.length });
        return got;
      },
      // Items finish one by one, each after its own short wait: a stage that claimed as each worker came free would ask for one.
      work: async (item) => {
        await new Promise((r) => setTimeout(r, 1 + (item % 7)));
        worked.push(item);
      },
    });
    stage.start();
    await stage.idle();
    await stage.stop();
    expect(worked.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const fruitful = asked.filter((a) => a.got > 0);
    expect(fruitful[0]!.n).toBe(16);
    expect(Math.min(...fruitful.map((a) => a.n))).toBeGreaterThanOrEqual(4);
    expect(fruitful.length).toBeLessThanOrEqual(1 + (200 - 16) / 4);
  });

  it('claims new work at once while only a few items are in hand', async () => {
    const asked: number[] = [];
    const worked: number[] = [];
    let release!: () => void;
    const long = new Promise<void>((r) => (release = r));
    let next = [1];
    const stage = createStage<number>({
      ...sixteen,
      claim: async (n) => {
        asked.push(n);
        const got = next;
        next = [];
        return got;
      },
      work: async (item) => {
        if (item === 1) await long;
        else worked.push(item);
      },
    });
    stage.start();
    await new Promise((r) => setTimeout(r, 20));
    next = [2];
    stage.wake(); // work announced while item 1 is still in hand: 15 workers free, so it is claimed now
    await new Promise((r) => setTimeout(r, 20));
    expect(asked.slice(0, 2)).toEqual([16, 15]);
    expect(worked).toEqual([2]);
    release();
    await stage.stop();
  });
});
