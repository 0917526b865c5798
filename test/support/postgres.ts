// A database of its own on this machine's PostgreSQL for each test file (created, then dropped), and whether PostgreSQL answers at all.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { POSTGRES_URL, reachable } from './services.js';

export const postgresUp = await reachable('127.0.0.1', 5432);
if (!postgresUp) console.warn('SKIPPING the PostgreSQL tests: nothing answers at 127.0.0.1:5432');

export interface TempDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTempDatabase(): Promise<TempDatabase> {
  const name = `fdb_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = POSTGRES_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
