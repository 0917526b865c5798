// The running bot prunes what outlived its use at PRUNE_CRON (the real CLI in a child process), and keeps what is still in use.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, SENT_RETENTION_MS } from '../../src/store/store.js';
import { startBotApiServer, type BotApiServer } from '../support/botApiServer.js';
import { CLI } from '../support/buildCli.js';
import { childEnv } from '../support/childEnv.js';
import { startOpenAiServer, type OpenAiServer } from '../support/openaiServer.js';
import { tempStoreUrl } from '../support/tempStore.js';

let api: BotApiServer;
let llm: OpenAiServer;
beforeAll(async () => {
  api = await startBotApiServer();
  llm = await startOpenAiServer();
});
afterAll(async () => {
  await Promise.all([api?.close(), llm?.close()]);
});

describe('prune', () => {
  it('deletes expired sent marks at the PRUNE_CRON the operator chose, and keeps recent ones', async () => {
    const storeUrl = tempStoreUrl();
    const store = await openStore(storeUrl);
    const now = Date.now();
    await store.db
      .insertInto('sent')
      .values([
        { id: 'p:1:expired', at: now - SENT_RETENTION_MS - 60_000, message_id: 1 },
        { id: 'p:1:recent', at: now - 60_000, message_id: 2 },
      ])
      .execute();
    const child = spawn(process.execPath, [CLI, 'start'], {
      env: childEnv(api, llm, storeUrl, { PRUNE_CRON: '* * * * * *' }), // every second
      stdio: 'ignore',
    });
    try {
      const deadline = Date.now() + 20_000;
      while ((await store.outbox.wasSent('p:1:expired')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await store.outbox.wasSent('p:1:expired')).toBe(false);
      expect(await store.outbox.wasSent('p:1:recent')).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
      await store.close();
    }
  });
});
