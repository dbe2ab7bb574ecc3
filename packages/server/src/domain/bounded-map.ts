/**
 * Sets `key` as the newest entry of `map` and, past `max` entries, forgets the oldest: a Map
 * keeps insertion order, so this makes it a bounded cache that drops what was set (or
 * refreshed with this) longest ago.
 */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done === true) return;
    map.delete(oldest.value);
  }
}
