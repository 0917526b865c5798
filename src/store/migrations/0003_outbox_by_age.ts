// Migration 0003_outbox_by_age: the sender's repair looks at recent messages only (by age), not the whole outbox every 15 s.
import type { Kysely, Migration } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations describe tables that the typed schema does not know yet */
export const outboxByAge: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.createIndex('outbox_by_age').on('outbox').columns(['created_at']).execute();
  },
};
