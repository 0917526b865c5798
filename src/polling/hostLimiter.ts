// Runs tasks with a global concurrency limit and a per-key (host) limit, in submission order where limits allow.
export interface Limiter {
  run<R>(key: string, task: () => Promise<R>): Promise<R>;
}

export function createLimiter(concurrency: number, perKey: number): Limiter {
  let active = 0;
  const activeByKey = new Map<string, number>();
  const waiting: Array<{ key: string; start: () => void }> = [];

  const pump = () => {
    for (let i = 0; i < waiting.length && active < concurrency; ) {
      const job = waiting[i]!;
      if ((activeByKey.get(job.key) ?? 0) >= perKey) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      active++;
      activeByKey.set(job.key, (activeByKey.get(job.key) ?? 0) + 1);
      job.start();
    }
  };

  return {
    run(key, task) {
      return new Promise((resolve, reject) => {
        waiting.push({
          key,
          start: () => {
            task()
              .then(resolve, reject)
              .finally(() => {
                active--;
                const n = (activeByKey.get(key) ?? 1) - 1;
                if (n === 0) activeByKey.delete(key);
                else activeByKey.set(key, n);
                pump();
              });
          },
        });
        pump();
      });
    },
  };
}
