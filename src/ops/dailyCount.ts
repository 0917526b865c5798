// A count per local day, kept in the quotas table (one atomic add per event, whichever replica counts): LLM tokens, digests that strayed from their source.
import { localDay } from '../core/localTime.js';
import type { Quotas } from '../store/quotas.js';

export interface DailyCount {
  add(amount: number, now: number): Promise<void>;
  today(now: number): Promise<number>;
}

/** Counted under `name` per day in `timeZone`, each day kept `keepMs` after it began. */
export function dailyCount(quotas: Pick<Quotas, 'add' | 'used'>, name: string, timeZone: string, keepMs = 3 * 24 * 3_600_000): DailyCount {
  const day = (now: number) => localDay(now, timeZone);
  return {
    async add(amount, now) {
      if (amount > 0) await quotas.add(name, day(now), amount, now + keepMs);
    },
    today: (now) => quotas.used(name, day(now)),
  };
}
