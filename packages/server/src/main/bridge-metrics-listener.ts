/** Part of the composition root: bridge commits counted into the metrics. */
import type { SyncListener } from '../app/bridges/bridge-sync.js';
import type { BridgeMetrics } from '../observability/bridge-metrics.js';

const CHANGES = ['inserted', 'updated', 'deleted', 'unchanged'] as const;

export function bridgeMetricsListener(metrics: BridgeMetrics): SyncListener {
  return ({ stats, seconds }) => {
    metrics.syncDuration.observe(seconds);
    for (const [kind, counts] of Object.entries(stats)) {
      for (const change of CHANGES) {
        if (counts[change] > 0) metrics.items.inc({ kind, change }, counts[change]);
      }
    }
  };
}
