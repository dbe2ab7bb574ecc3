import type { ExtInstance, ExtTypeConfig } from '../../domain/extension.js';
import type { ExtRegistry } from '../../ports/extensions.js';

export interface StaticTable {
  readonly instances: readonly ExtInstance[];
  readonly configs: Readonly<Record<string, ExtTypeConfig>>;
}

/** The registry without etcd: the table from the config file (replaceable, for reloads). */
export class StaticExtRegistry implements ExtRegistry {
  #byType = new Map<string, ExtInstance[]>();
  #configs = new Map<string, ExtTypeConfig>();
  readonly #listeners = new Set<() => void>();

  constructor(table: StaticTable) {
    this.replace(table);
  }

  async start(): Promise<void> {}

  instances(msgType: string): readonly ExtInstance[] {
    return this.#byType.get(msgType) ?? [];
  }

  all(): readonly ExtInstance[] {
    return [...this.#byType.values()].flat();
  }

  config(msgType: string): ExtTypeConfig | undefined {
    return this.#configs.get(msgType);
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  replace(table: StaticTable): void {
    const byType = new Map<string, ExtInstance[]>();
    for (const instance of table.instances) {
      byType.set(instance.msgType, [...(byType.get(instance.msgType) ?? []), instance]);
    }
    this.#byType = byType;
    this.#configs = new Map(Object.entries(table.configs));
    for (const listener of this.#listeners) listener();
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
