// A stage is a loop that claims due rows and works them with bounded concurrency: woken by new work, re-checking on a timer, never waiting for another stage.
import type { Logger } from '../log.js';

export interface StageOptions<T> {
  name: string;
  /** Items worked at once in this process. */
  concurrency: number;
  /** Takes up to `n` due items (a claim that expires, so a crash gives them back). */
  claim(n: number): Promise<T[]>;
  work(item: T): Promise<void>;
  log: Logger;
  /** How often an idle stage looks for due work that nobody announced (another replica's, a retry's time). */
  recheckMs?: number;
}

export interface Stage {
  /** Looks for work now. */
  wake(): void;
  start(): void;
  /** Stops claiming and waits for the items in hand. */
  stop(): Promise<void>;
  /** Resolves once a look finds nothing due and nothing is in hand (tests, `poll --once`). */
  idle(): Promise<void>;
  readonly active: number;
}

export function createStage<T>(options: StageOptions<T>): Stage {
  let running = false;
  let claiming = false;
  let again = false;
  let active = 0;
  let timer: NodeJS.Timeout | undefined;
  const inHand = new Set<Promise<void>>();
  const idleWaiters: Array<() => void> = [];

  const schedule = (ms: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      pump();
    }, ms);
    timer.unref();
  };

  function pump(): void {
    if (!running) return;
    if (claiming) {
      again = true;
      return;
    }
    const free = options.concurrency - active;
    if (free <= 0) return;
    claiming = true;
    again = false;
    void claimAndWork(free);
  }

  async function claimAndWork(free: number): Promise<void> {
    let items: T[];
    try {
      items = await options.claim(free);
    } catch (error) {
      claiming = false;
      options.log.warn('stage could not claim work', { stage: options.name, error });
      return schedule(options.recheckMs ?? 5000);
    }
    claiming = false;
    for (const item of items) {
      active++;
      const p = options
        .work(item)
        .catch((error: unknown) => options.log.error('stage work failed', { stage: options.name, error }))
        .finally(() => {
          active--;
          inHand.delete(p);
          pump();
        });
      inHand.add(p);
    }
    if (items.length === 0 && active === 0 && !again) for (const w of idleWaiters.splice(0)) w();
    if (items.length === free || again) pump();
    else schedule(options.recheckMs ?? 5000);
  }

  return {
    wake: () => pump(),
    start() {
      running = true;
      pump();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...inHand]);
      for (const w of idleWaiters.splice(0)) w();
    },
    idle() {
      return new Promise<void>((resolve) => {
        if (!running) return resolve();
        idleWaiters.push(resolve);
        pump();
      });
    },
    get active() {
      return active;
    },
  };
}
