// Modules loaded at first use, not at start: a command that never digests a page (`poll --once` with nothing new, `help`) never
// pays for the LLM client or the HTML parser.
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** The module `id` (its CommonJS build), required the first time the returned function is called. */
export function lazy<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load(id) as T);
}
