/** The worker tier of the composition root: durable background work, on `worker` nodes. */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Clock } from '../ports/system.js';
import type { Engines } from './engines.js';
import type { Lifecycle } from './lifecycle.js';
import type { NodePlan } from './roles.js';
import type { UseCases } from './use-cases.js';

const TOKEN_SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const EXT_RETRY_INTERVAL_MS = 1_000;

/** A job run every `intervalMs`, never twice at once, stopped with the node. */
function periodic(name: string, intervalMs: number, job: () => Promise<void>, logger: Logger) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const run = () => {
    if (running !== undefined) return;
    running = job()
      .catch((err: unknown) => logger.warn({ err }, `${name} failed`))
      .finally(() => {
        running = undefined;
      });
  };
  return {
    name,
    start: async () => {
      timer = setInterval(run, intervalMs).unref();
    },
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}

export function composeWorkers(
  config: Config,
  plan: NodePlan,
  engines: Engines,
  useCases: UseCases,
  lifecycle: Lifecycle,
  deps: { clock: Clock; logger: Logger },
): void {
  if (!plan.roles.has('worker')) return;
  const { clock, logger } = deps;
  const { store } = engines;
  lifecycle.add(
    periodic(
      'expired refresh token sweep',
      TOKEN_SWEEP_INTERVAL_MS,
      async () => {
        const deleted = await store.refreshTokens.deleteExpired(clock.now());
        if (deleted > 0) logger.debug({ deleted }, 'expired refresh tokens removed');
      },
      logger,
    ),
  );
  // Users whose gateway died go offline for their contacts (the cluster's presence only).
  const presenceTtlMs = config.presence_ttl * 1000;
  lifecycle.add(
    periodic(
      'presence sweep',
      Math.max(1_000, Math.floor(presenceTtlMs / 2)),
      async () => {
        const at = clock.now();
        const swept = await engines.presence.sweep(at);
        if (swept.length === 0) return;
        logger.info({ users: swept.length }, 'users of a silent gateway went offline');
        await useCases.presence.sweptOffline(swept, at);
      },
      logger,
    ),
  );
  lifecycle.add(
    periodic(
      'extension retry',
      EXT_RETRY_INTERVAL_MS,
      () => useCases.messaging.extensionFlow.retryWaiting(),
      logger,
    ),
  );
}
