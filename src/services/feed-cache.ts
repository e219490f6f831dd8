// A small LRU over Map insertion order: get() moves a hit to the back, set() evicts from the
// front. Entries for an old data version are never read again and age out this way. A hit on
// the entry already at the back (one hot feed) is not moved: a delete and set per request
// would only churn the Map.

export interface LruCache<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  readonly size: number;
  values(): IterableIterator<V>;
  clear(): void;
}

export function createLruCache<V>(maxEntries: number): LruCache<V> {
  const map = new Map<string, V>();
  // The key at the back of `map` (the most recently used), when known.
  let newest: string | undefined;
  return {
    get(key) {
      const v = map.get(key);
      if (v === undefined || key === newest) return v;
      map.delete(key);
      map.set(key, v);
      newest = key;
      return v;
    },
    set(key, value) {
      if (maxEntries <= 0) return;
      map.delete(key);
      map.set(key, value);
      newest = key;
      while (map.size > maxEntries) {
        const oldest = map.keys().next().value as string;
        map.delete(oldest);
      }
    },
    get size() {
      return map.size;
    },
    values() {
      return map.values();
    },
    clear() {
      map.clear();
      newest = undefined;
    },
  };
}
