// A Map-backed Collection for tests that do not need a real store.
import type { Collection } from '../../src/store/cache.js';

export function memoryCollection<T>(): Collection<T> & { map: Map<string, T> } {
  const map = new Map<string, T>();
  return {
    map,
    get: async (k) => map.get(k),
    getMany: async (ks) => ks.map((k) => map.get(k)),
    set: async (k, v) => void map.set(k, v),
    delete: async (k) => map.delete(k),
  };
}
