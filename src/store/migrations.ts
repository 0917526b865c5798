// The schema's history, applied at start by Kysely's Migrator (which locks on PostgreSQL, so replicas starting together do not race).
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { StoreError } from './database.js';
import { initial } from './migrations/0001_initial.js';
import { ownedClaims } from './migrations/0002_owned_claims.js';
import { outboxByAge } from './migrations/0003_outbox_by_age.js';
import { perFeedOptions } from './migrations/0004_per_feed_options.js';
import { chatManagers } from './migrations/0005_chat_managers.js';
import { dailyByTopic } from './migrations/0006_daily_by_topic.js';
import { stories } from './migrations/0007_stories.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed schema does not know yet */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_owned_claims': ownedClaims,
  '0003_outbox_by_age': outboxByAge,
  '0004_per_feed_options': perFeedOptions,
  '0005_chat_managers': chatManagers,
  '0006_daily_by_topic': dailyByTopic,
  '0007_stories': stories,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Brings the schema up to date; throws a StoreError naming the migration that failed.
 * PostgreSQL serialises concurrent migrators with a lock; two processes opening one SQLite file at once (the bot and the CLI)
 * may race, and the loser simply looks again once the winner is done.
 */
export async function migrate(db: Kysely<any>, attempts = 3): Promise<void> {
  const migrator = new Migrator({ db, provider, migrationTableName: 'schema_migrations', migrationLockTableName: 'schema_migrations_lock' });
  const { error, results } = await migrator.migrateToLatest();
  if (error && attempts > 1 && /already exists/i.test(String((error as Error).message))) {
    await new Promise((r) => setTimeout(r, 100));
    return migrate(db, attempts - 1);
  }
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new StoreError(`database migration ${failed} failed: ${(error as Error).message ?? error}`, { cause: error });
  }
}
