// Scheduled jobs never overlap: not within one process (a slow cycle skips ticks), not across replicas sharing a store (a lease).
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { createScheduler, type Scheduler } from '../../src/stages/scheduler.js';
import { openStore, type Store } from '../../src/store/store.js';
import { createTempDatabase, postgresUp } from '../support/postgres.js';
import { tempStoreUrl } from '../support/tempStore.js';

let schedulers: Scheduler[] = [];
let backends: Store[] = [];

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
    const backend = await openStore(tempStoreUrl());
    backends.push(backend);
    const stats = { active: 0, peak: 0, runs: 0 };
    const s = createScheduler({ leases: backend.leases, log: silentLogger });
    schedulers.push(s);
    s.add('slow', '* * * * * *', slowJob(stats, 1500));
    s.start();
    await new Promise((r) => setTimeout(r, 1200));
    expect(await s.runNow('slow')).toBe(false);
    await new Promise((r) => setTimeout(r, 2500));
    expect(stats.peak).toBe(1);
    expect(stats.runs).toBeGreaterThanOrEqual(1);
  });

  it.skipIf(!postgresUp)('lets one replica at a time run a leased job on a shared PostgreSQL database', async () => {
    const stats = { active: 0, peak: 0, runs: 0 };
    const name = `shared-${process.pid}-${Date.now()}`;
    const db = await createTempDatabase();
    for (let i = 0; i < 2; i++) {
      const backend = await openStore(db.url);
      backends.push(backend);
      const s = createScheduler({ leases: backend.leases, log: silentLogger });
      s.add(name, '0 0 1 1 *', slowJob(stats, 500), 60_000);
      schedulers.push(s);
    }
    const results = await Promise.all(schedulers.map((s) => s.runNow(name)));
    expect(results.sort()).toEqual([false, true]);
    expect(stats.peak).toBe(1);
    expect(await schedulers[1]!.runNow(name)).toBe(true); // the lease was released
    await Promise.all(schedulers.map((sc) => sc.stop()));
    await Promise.all(backends.map((b) => b.close()));
    schedulers = [];
    backends = [];
    await db.drop();
  });
});
