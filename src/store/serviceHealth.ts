// Whether an outside service (the LLM) is down, as one shared fact in the meta table: marked once by whichever replica sees it first.
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface ServiceDown {
  since: number;
  detail: string;
}

export interface ServiceHealth {
  /** Marks the service down; true for the one call that changed it (who then tells the admins). */
  markDown(service: string, since: number, detail: string): Promise<boolean>;
  /** Marks it up again; true for the one call that changed it. */
  markUp(service: string): Promise<boolean>;
  down(service: string): Promise<ServiceDown | undefined>;
}

const key = (service: string) => `down:${service}`;

export function createServiceHealth(db: Kysely<Database>): ServiceHealth {
  return {
    async markDown(service, since, detail) {
      const r = await db.insertInto('meta').values({ key: key(service), value: JSON.stringify({ since, detail }) }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async markUp(service) {
      const r = await db.deleteFrom('meta').where('key', '=', key(service)).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },
    async down(service) {
      const row = await db.selectFrom('meta').select('value').where('key', '=', key(service)).executeTakeFirst();
      return row ? (JSON.parse(row.value) as ServiceDown) : undefined;
    },
  };
}
