/** The worker tier of the composition root: durable background work, on `worker` nodes. */
import type { Logger } from 'pino';
import { LargeGroupDelivery } from '../app/cluster/large-group-delivery.js';
import type { Config } from '../config/schema.js';
import type { Metrics } from '../observability/metrics.js';
import { EXT_DISPATCH, EXT_RETRY } from '../protocol/ext-task-codec.js';
import { LARGE_GROUP_FANOUT, largeGroupCodec } from '../protocol/large-group-codec.js';
import type { Clock } from '../ports/system.js';
import type { Engines } from './engines.js';
import type { Lifecycle } from './lifecycle.js';
import type { NodePlan } from './roles.js';
import { periodic } from './periodic.js';
import type { UseCases } from './use-cases.js';

const TOKEN_SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const EXT_RETRY_INTERVAL_MS = 1_000;
/** Attempts of a task before it is dead-lettered (a handler that keeps failing). */
const MAX_DELIVERIES = 20;
const TOKEN_SWEEP = 'token_sweep';

export function composeWorkers(
  config: Config,
  plan: NodePlan,
  engines: Engines,
  useCases: UseCases,
  lifecycle: Lifecycle,
  deps: { clock: Clock; logger: Logger; metrics: Metrics },
): void {
  if (!plan.roles.has('worker')) return;
  const { clock, logger, metrics } = deps;
  const { store } = engines;
  const delivery = new LargeGroupDelivery({ bus: engines.bus, codec: largeGroupCodec });
  const jobs = useCases.messaging.extensionJobs;
  // A handler that returns no promise is done at once (and its task acked in the same turn).
  const handlers: Record<string, (payload: Uint8Array) => void | Promise<unknown>> = {
    [LARGE_GROUP_FANOUT]: (payload) => delivery.handle(payload),
    [EXT_DISPATCH]: (payload) => jobs.handle(EXT_DISPATCH, payload),
    [EXT_RETRY]: (payload) => jobs.handle(EXT_RETRY, payload),
    [TOKEN_SWEEP]: async () => {
      const deleted = await store.refreshTokens.deleteExpired(clock.now());
      if (deleted > 0) logger.debug({ deleted }, 'expired refresh tokens removed');
    },
  };
  let stopConsuming: (() => Promise<void>) | undefined;
  lifecycle.add({
    name: 'task consumer',
    start: async () => {
      stopConsuming = await engines.tasks.consume(
        ({ task }) => {
          const handle = handlers[task.taskType];
          if (handle === undefined) {
            metrics.tasks.inc({ task_type: 'unknown', outcome: 'unknown' });
            logger.warn({ task_type: task.taskType }, 'dropped a task of an unknown type');
            return;
          }
          const counted = (outcome: 'ok' | 'failed') =>
            metrics.tasks.inc({ task_type: task.taskType, outcome });
          const failed = (err: unknown): never => {
            counted('failed');
            throw err;
          };
          let pending: void | Promise<unknown>;
          try {
            pending = handle(task.payload);
          } catch (err) {
            return failed(err);
          }
          if (pending === undefined) return counted('ok');
          return pending.then(() => counted('ok'), failed);
        },
        {
          concurrency: config.task_concurrency,
          ackWaitMs: config.task_ack_wait * 1000,
          maxDeliveries: MAX_DELIVERIES,
          onDeadLetter: (task, reason) => {
            metrics.tasks.inc({ task_type: task?.taskType ?? 'unknown', outcome: 'dead' });
            logger.error({ task_type: task?.taskType, reason }, 'a task was dead-lettered');
          },
        },
      );
    },
    stop: async () => stopConsuming?.(),
  });
  // Every worker schedules the sweep; it is idempotent, so a few extra runs cost nothing.
  lifecycle.add(
    periodic(
      'expired refresh token sweep',
      TOKEN_SWEEP_INTERVAL_MS,
      () => engines.tasks.enqueue(TOKEN_SWEEP, new Uint8Array(0)),
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
      async () => void (await jobs.enqueueDue()),
      logger,
    ),
  );
}
