// A fresh SQLite store in a temporary folder, for tests that need real state.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from '../../src/store/store.js';

export function tempStoreUrl(): string {
  return `sqlite://${join(mkdtempSync(join(tmpdir(), 'fdb-')), 'bot.sqlite')}`;
}

export function openTempStore(): Promise<Store> {
  return openStore(tempStoreUrl());
}
