// `feed-digest-bot failed [--retry ID|all]`: the work given up after its attempts, listed for the operator, or queued again.
import type { Config } from '../config.js';
import { openStore } from '../store/store.js';
import type { FailedWork } from '../store/failed.js';

const when = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

export function describeFailed(f: FailedWork): string {
  return `${f.id}  ${f.kind.padEnd(7)}  ${f.what}\n          since ${when(f.since)}, failed ${when(f.failedAt)}, ${f.attempts} attempt(s): ${f.lastError || '(no error recorded)'}`;
}

export async function runFailed(config: Config, retry: string | undefined, write: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const store = await openStore(config.storeUrl);
  try {
    if (retry !== undefined) {
      const n = await store.failed.retry(retry, Date.now());
      write(n === 0 ? (retry === 'all' ? 'nothing has failed' : `no failed work has the id ${retry}`) : `queued again: ${n}`);
      return n === 0 && retry !== 'all' ? 1 : 0;
    }
    const failed = await store.failed.list();
    if (failed.length === 0) write('nothing has failed');
    for (const f of failed) write(describeFailed(f));
    return 0;
  } finally {
    await store.close();
  }
}
