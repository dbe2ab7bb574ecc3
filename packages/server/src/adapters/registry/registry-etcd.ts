import { Etcd3, type IKeyValue, type Watcher } from 'etcd3';
import type { ExtInstance, ExtTypeConfig } from '../../domain/extension.js';
import type { ExtRegistry } from '../../ports/extensions.js';
import { CONFIG_PREFIX, SERVICES_PREFIX, toInstance, toTypeConfig } from './registry-records.js';

export interface EtcdRegistryOptions {
  readonly endpoints: readonly string[];
  /** Told about records that cannot be read (they are ignored). */
  readonly onInvalid?: (key: string, err: unknown) => void;
}

/**
 * The registry in etcd (seed 000): a watch on `/parley/ext/` keeps a local table; the message
 * path reads only the table. A watch that reconnects reloads the whole prefix.
 */
export class EtcdExtRegistry implements ExtRegistry {
  readonly #client: Etcd3;
  readonly #options: EtcdRegistryOptions;
  readonly #instances = new Map<string, Map<string, ExtInstance>>();
  readonly #configs = new Map<string, ExtTypeConfig>();
  readonly #listeners = new Set<() => void>();
  #watcher: Watcher | undefined;

  constructor(options: EtcdRegistryOptions) {
    this.#options = options;
    this.#client = new Etcd3({ hosts: [...options.endpoints] });
  }

  async start(): Promise<void> {
    await this.#reload();
    this.#watcher = await this.#client.watch().prefix('/parley/ext/').create();
    this.#watcher.on('put', (kv) => this.#apply(kv, false));
    this.#watcher.on('delete', (kv) => this.#apply(kv, true));
    this.#watcher.on('connected', () => void this.#reload().catch(() => {}));
    this.#watcher.on('error', () => {});
  }

  instances(msgType: string): readonly ExtInstance[] {
    return [...(this.#instances.get(msgType)?.values() ?? [])];
  }

  all(): readonly ExtInstance[] {
    return [...this.#instances.values()].flatMap((table) => [...table.values()]);
  }

  config(msgType: string): ExtTypeConfig | undefined {
    return this.#configs.get(msgType);
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.#watcher?.cancel();
    this.#client.close();
    this.#listeners.clear();
  }

  async #reload(): Promise<void> {
    const all = await this.#client.getAll().prefix('/parley/ext/').exec();
    this.#instances.clear();
    this.#configs.clear();
    for (const kv of all.kvs) this.#apply(kv, false, false);
    this.#changed();
  }

  #apply(kv: IKeyValue, deleted: boolean, notify = true): void {
    const key = kv.key.toString();
    try {
      if (key.startsWith(SERVICES_PREFIX)) {
        const [msgType, instanceId] = key.slice(SERVICES_PREFIX.length).split('/');
        if (!msgType || !instanceId) return;
        const table = this.#instances.get(msgType) ?? new Map<string, ExtInstance>();
        if (deleted) table.delete(instanceId);
        else
          table.set(instanceId, toInstance(msgType, instanceId, JSON.parse(kv.value.toString())));
        this.#instances.set(msgType, table);
      } else if (key.startsWith(CONFIG_PREFIX)) {
        const msgType = key.slice(CONFIG_PREFIX.length);
        if (deleted) this.#configs.delete(msgType);
        else this.#configs.set(msgType, toTypeConfig(JSON.parse(kv.value.toString())));
      }
    } catch (err) {
      this.#options.onInvalid?.(key, err);
      return;
    }
    if (notify) this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
