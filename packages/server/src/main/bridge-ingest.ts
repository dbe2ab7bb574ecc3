/** Part of the composition root: where bridge payloads are parsed and stored. */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { bridgeTopic, mayHaveSubscribers } from '../ports/bus.js';
import { InlineBridgeIngest, type BridgeIngest } from '../transports/shared/bridge-ingest.js';
import type { Engines } from './engines.js';
import type { Lifecycle } from './lifecycle.js';
import type { NodePlan } from './roles.js';
import { ThreadedBridgeIngest } from './threaded-bridge-ingest.js';
import type { UseCases } from './use-cases.js';

/**
 * On SQLite, in a thread of its own (its statements would hold the event loop); on PostgreSQL
 * and MySQL, on the event loop, where the statements are network round trips.
 */
export function composeBridgeIngest(
  config: Config,
  plan: NodePlan,
  engines: Engines,
  useCases: UseCases,
  lifecycle: Lifecycle,
  logger: Logger,
): BridgeIngest {
  if (engines.store.engine !== 'sqlite' || !plan.roles.has('api')) {
    return new InlineBridgeIngest(useCases.bridgeSync);
  }
  const threaded = new ThreadedBridgeIngest({
    dataDir: config.data_dir,
    sync: useCases.bridgeSync,
    logger,
    // Only a bus that knows who listens can say no; another gets every commit's items.
    wants: (accountId) => mayHaveSubscribers(engines.bus, bridgeTopic(accountId)),
  });
  lifecycle.add({
    name: 'bridge ingest thread',
    start: () => threaded.start(),
    stop: () => threaded.stop(),
  });
  return threaded;
}
