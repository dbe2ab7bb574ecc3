import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What the last-sync gauge reads at each scrape: every account, from the shared store. */
export type BridgeAccountSource = () => Promise<
  readonly { readonly platform: string; readonly accountId: string; readonly lastSyncAt: number }[]
>;

/** Bridges (docs/bridges.md, Metrics): ingest volume, sync latency, and quiet workers. */
export interface BridgeMetrics {
  /** Items of committed batches, by kind and what became of them. */
  readonly items: Counter<'kind' | 'change'>;
  readonly syncDuration: Histogram;
  readonly lastSync: Gauge<'platform' | 'account_id'>;
  /** Sets where the last-sync gauge reads the accounts from (the store, once it is open). */
  watchAccounts(source: BridgeAccountSource): void;
}

export function createBridgeMetrics(registry: Registry): BridgeMetrics {
  const registers = [registry];
  let source: BridgeAccountSource | undefined;
  return {
    items: new Counter({
      name: 'parley_bridge_items_total',
      help: 'Items of committed worker batches, by kind and change (inserted, updated, deleted, unchanged).',
      labelNames: ['kind', 'change'],
      registers,
    }),
    syncDuration: new Histogram({
      name: 'parley_bridge_sync_duration_seconds',
      help: 'Time from a checked payload to its commit (ownership check and transaction).',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    // Read from the store at each scrape, so every node reports every account, whichever node
    // took its batches, and an account whose worker went quiet shows an old time.
    lastSync: new Gauge({
      name: 'parley_bridge_account_last_sync_seconds',
      help: 'Unix time of the last batch committed for each platform account (alert on its age).',
      labelNames: ['platform', 'account_id'],
      registers,
      async collect() {
        if (source === undefined) return;
        const accounts = await source();
        this.reset();
        for (const a of accounts) {
          this.set({ platform: a.platform, account_id: a.accountId }, a.lastSyncAt / 1000);
        }
      },
    }),
    watchAccounts(next) {
      source = next;
    },
  };
}
