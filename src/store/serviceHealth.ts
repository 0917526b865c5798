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
  /** When the service's current run of failures began: `now` for the first failure since it last worked. */
  failingSince(service: string, now: number): Promise<number>;
  /** It worked: its failures are forgotten, and it is marked up again; what was marked down, for the one call that changed it. */
  markUp(service: string): Promise<ServiceDown | undefined>;
  down(service: string): Promise<ServiceDown | undefined>;
}

const key = (service: string) => `down:${service}`;
const failingKey = (service: string) => `failing:${service}`;

export function createServiceHealth(db: Kysely<Database>): ServiceHealth {
  return {
    async markDown(service, since, detail) {
      const r = await db.insertInto('meta').values({ key: key(service), value: JSON.stringify({ since, detail }) }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async failingSince(service, now) {
      await db.insertInto('meta').values({ key: failingKey(service), value: String(now) }).onConflict((oc) => oc.column('key').doNothing()).execute();
      const row = await db.selectFrom('meta').select('value').where('key', '=', failingKey(service)).executeTakeFirst();
      return row ? Number(row.value) : now;
    },
    async markUp(service) {
      // One statement on every success: the run of failures forgotten, and the down mark taken (its holder tells the admins).
      const rows = await db.deleteFrom('meta').where('key', 'in', [failingKey(service), key(service)]).returning(['key', 'value']).execute();
      const down = rows.find((r) => r.key === key(service));
      return down ? (JSON.parse(down.value) as ServiceDown) : undefined;
    },
    async down(service) {
      const row = await db.selectFrom('meta').select('value').where('key', '=', key(service)).executeTakeFirst();
      return row ? (JSON.parse(row.value) as ServiceDown) : undefined;
    },
  };
}
