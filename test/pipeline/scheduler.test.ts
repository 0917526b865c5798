// Scheduled jobs never overlap: not within one process (a slow cycle skips ticks), not across replicas sharing a store (a lease).
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createScheduler, type Scheduler } from '../../src/pipeline/scheduler.js';
import { openKeyvBackend, type KeyvBackend } from '../../src/store/keyvStore.js';
import { REDIS_URL, reachable } from '../support/services.js';
import { tempStoreUrl } from '../support/tempStore.js';

const redisUp = await reachable('127.0.0.1', 6379);
let schedulers: Scheduler[] = [];
let backends: KeyvBackend[] = [];

afterEach(async () => {
  await Promise.all(schedulers.map((s) => s.stop()));
  await Promise.all(backends.map((b) => b.close()));
  schedulers = [];
  backends = [];
});

function slowJob(stats: { active: number; peak: number; runs: number }, ms: number) {
  return async () => {
    stats.active++;
    stats.peak = Math.max(stats.peak, stats.active);
    await new Promise((r) => setTimeout(r, ms));
    stats.active--;
    stats.runs++;
  };
}

describe('scheduler', () => {
  it('never runs a job twice at once, and runNow says when it is already running', async () => {
    const backend = await openKeyvBackend(tempStoreUrl());
    backends.push(backend);
    const stats = { active: 0, peak: 0, runs: 0 };
    const s = createScheduler({ backend, log: silentLogger });
    schedulers.push(s);
    s.add('slow', '* * * * * *', slowJob(stats, 1500));
    s.start();
    await new Promise((r) => setTimeout(r, 1200));
    expect(await s.runNow('slow')).toBe(false);
    await new Promise((r) => setTimeout(r, 2500));
    expect(stats.peak).toBe(1);
    expect(stats.runs).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(!redisUp)('lets one replica at a time run a job on a shared Redis store', async () => {
    const stats = { active: 0, peak: 0, runs: 0 };
    const name = `shared-${process.pid}-${Date.now()}`;
    for (let i = 0; i < 2; i++) {
      const backend = await openKeyvBackend(REDIS_URL);
      backends.push(backend);
      const s = createScheduler({ backend, log: silentLogger });
      s.add(name, '0 0 1 1 *', slowJob(stats, 500));
      schedulers.push(s);
    }
    const results = await Promise.all(schedulers.map((s) => s.runNow(name)));
    expect(results.sort()).toEqual([false, true]);
    expect(stats.peak).toBe(1);
    expect(await schedulers[1]!.runNow(name)).toBe(true); // the lease was released
  });
});
