// Migrations on SQLite run in a transaction: one that fails half way leaves no half schema, and the next start completes it.
import Sqlite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { tempStoreUrl } from '../support/tempStore.js';

describe('SQLite migrations', () => {
  it('roll back a migration that fails half way, so a later start applies it whole', async () => {
    const url = tempStoreUrl();
    const path = url.slice('sqlite://'.length);
    // Something in the way of the second migration's last step (as a death half way would leave things).
    const file = new Sqlite(path);
    file.exec('CREATE TABLE daily_sent (x TEXT)');
    file.close();
    await expect(openStore(url)).rejects.toThrow(/migration 0002_owned_claims failed/);
    const look = new Sqlite(path);
    // The pending migrations run as one transaction: all of them or none, never a schema half way.
    const feedColumns = (look.prepare("SELECT name FROM pragma_table_info('feeds')").all() as Array<{ name: string }>).map((c) => c.name);
    expect(feedColumns).toEqual([]);
    const applied = look.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'schema_migrations'").get() as { n: number };
    if (applied.n > 0) expect((look.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(0);
    look.exec('DROP TABLE daily_sent');
    look.close();
    const store = await openStore(url);
    expect(await store.failed.list()).toEqual([]);
    await store.close();
  });
});
