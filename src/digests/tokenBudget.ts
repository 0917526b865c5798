// The optional daily token budget (LLM_DAILY_TOKEN_BUDGET): counted per local day in the quotas table (atomic adds); when spent, digests wait for tomorrow.
import { nextLocalMidnight } from '../core/localTime.js';
import { dailyCount } from '../ops/dailyCount.js';
import type { Quotas } from '../store/quotas.js';

/** How a spent budget's error begins (the store tells budget waits from failure retries by it). */
export const BUDGET_SPENT = 'the daily LLM token budget is spent';

export class BudgetExhaustedError extends Error {
  constructor(readonly resumeAt: number) {
    super(`${BUDGET_SPENT}; digests resume at ${new Date(resumeAt).toISOString()}`);
    this.name = 'BudgetExhaustedError';
  }
}

export interface TokenBudget {
  /** Throws BudgetExhaustedError when today's budget is spent. */
  check(now: number): Promise<void>;
  record(tokens: number, now: number): Promise<void>;
  usedToday(now: number): Promise<number>;
}

const NAME = 'llm-tokens';

export function createTokenBudget(quotas: Pick<Quotas, 'add' | 'used'>, dailyLimit: number | undefined, timeZone: string): TokenBudget {
  const tokens = dailyCount(quotas, NAME, timeZone);
  return {
    async check(now) {
      if (dailyLimit === undefined) return;
      if ((await tokens.today(now)) >= dailyLimit) throw new BudgetExhaustedError(nextLocalMidnight(now, timeZone));
    },
    record: (n, now) => tokens.add(n, now),
    usedToday: (now) => tokens.today(now),
  };
}
