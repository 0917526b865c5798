// The optional daily token budget (LLM_DAILY_TOKEN_BUDGET): counted per local day in the store; when spent, digests wait for tomorrow.
import { localDay, nextLocalMidnight } from '../core/localTime.js';
import type { Collection } from '../store/keyvStore.js';
import { createKeyedMutex } from '../store/keyedMutex.js';

export class BudgetExhaustedError extends Error {
  constructor(readonly resumeAt: number) {
    super(`the daily LLM token budget is spent; digests resume at ${new Date(resumeAt).toISOString()}`);
    this.name = 'BudgetExhaustedError';
  }
}

export interface TokenBudget {
  /** Throws BudgetExhaustedError when today's budget is spent. */
  check(now: number): Promise<void>;
  record(tokens: number, now: number): Promise<void>;
  usedToday(now: number): Promise<number>;
}

export function createTokenBudget(memory: Collection<unknown>, dailyLimit: number | undefined, timeZone: string): TokenBudget {
  const mutex = createKeyedMutex();
  const key = (now: number) => `tokens:${localDay(now, timeZone)}`;
  const used = async (now: number) => Number((await memory.get(key(now))) ?? 0);
  return {
    async check(now) {
      if (dailyLimit === undefined) return;
      if ((await used(now)) >= dailyLimit) throw new BudgetExhaustedError(nextLocalMidnight(now, timeZone));
    },
    record(tokens, now) {
      return mutex.run(key(now), async () => {
        await memory.set(key(now), (await used(now)) + tokens, 3 * 24 * 3_600_000);
      });
    },
    usedToday: used,
  };
}
