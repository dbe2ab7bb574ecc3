import { setNewest } from '../../domain/bounded-map.js';

/** Loads up to `limit` members of the set of `key`. */
export type SetLoader = (key: string, limit: number) => Promise<string[]>;

/** Answers membership when the set was too large to keep. */
export type MemberLookup = (key: string, member: string) => Promise<boolean>;

export interface BoundedSetCacheOptions {
  /** Most sets kept; the least recently used is forgotten first. */
  readonly maxKeys: number;
  /** Sets with more members are not kept: their lookups go to `lookup`. */
  readonly maxSetSize: number;
}

/** A set too large to keep in memory. */
const TOO_LARGE = null;
type Entry = Set<string> | typeof TOO_LARGE;

/**
 * A bounded, lazily loaded cache of sets of ids (a user's friends, the users who blocked a
 * user), kept exact by the writers through `add`, `remove` and `forget`.
 *
 * A load that was in flight while the set changed is used by its own callers but never
 * kept: every change discards the in-flight load of its key, so a set read before a commit
 * cannot overwrite what the writer recorded after it.
 */
export class BoundedSetCache {
  readonly #load: SetLoader;
  readonly #lookup: MemberLookup;
  readonly #options: BoundedSetCacheOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<Entry>>();

  constructor(load: SetLoader, lookup: MemberLookup, options: BoundedSetCacheOptions) {
    this.#load = load;
    this.#lookup = lookup;
    this.#options = options;
  }

  /** Whether `member` is in the set of `key`: from memory once the set is loaded. */
  async has(key: string, member: string): Promise<boolean> {
    const entry = await this.#get(key);
    return entry === TOO_LARGE ? this.#lookup(key, member) : entry.has(member);
  }

  /** Records that `member` joined the set of `key` (call after the change committed). */
  add(key: string, member: string): void {
    this.#loading.delete(key);
    const entry = this.#entries.get(key);
    if (entry === undefined || entry === TOO_LARGE) return;
    entry.add(member);
    if (entry.size > this.#options.maxSetSize) this.#entries.set(key, TOO_LARGE);
  }

  /** Records that `member` left the set of `key` (call after the change committed). */
  remove(key: string, member: string): void {
    this.#loading.delete(key);
    this.#entries.get(key)?.delete(member);
  }

  /** Drops what is known of `key`; the next lookup loads it again. */
  forget(key: string): void {
    this.#loading.delete(key);
    this.#entries.delete(key);
  }

  /** Sets held in memory (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }

  #get(key: string): Promise<Entry> | Entry {
    const entry = this.#entries.get(key);
    if (entry !== undefined) {
      // Most recently used last: Map keeps insertion order.
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      return entry;
    }
    return this.#loading.get(key) ?? this.#startLoad(key);
  }

  #startLoad(key: string): Promise<Entry> {
    const loading: Promise<Entry> = this.#load(key, this.#options.maxSetSize + 1).then(
      (ids) => {
        const loaded = ids.length > this.#options.maxSetSize ? TOO_LARGE : new Set(ids);
        if (this.#loading.get(key) === loading) {
          this.#loading.delete(key);
          this.#put(key, loaded);
        }
        return loaded;
      },
      (err: unknown) => {
        if (this.#loading.get(key) === loading) this.#loading.delete(key);
        throw err;
      },
    );
    this.#loading.set(key, loading);
    return loading;
  }

  #put(key: string, entry: Entry): void {
    setNewest(this.#entries, key, entry, this.#options.maxKeys);
  }
}
