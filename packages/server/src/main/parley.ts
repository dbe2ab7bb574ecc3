/**
 * The composition root: the one place that knows every adapter. It builds a node in tiers —
 * engines, then use cases, then the edges and workers its roles run — and owns one lifecycle
 * that starts them in that order and stops them in reverse.
 */
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { SystemClock } from '../adapters/system/system-clock.js';
import { UlidIds } from '../adapters/system/ulid-ids.js';
import type { Config, Role } from '../config/schema.js';
import { createLogger } from '../observability/logger.js';
import { createMetrics } from '../observability/metrics.js';
import type { Store } from '../ports/store.js';
import { joinHostPort } from '../transports/grpc/grpc-server.js';
import { VERSION } from '../version.js';
import { composeEdges } from './edges.js';
import { openEngines } from './engines.js';
import { Lifecycle } from './lifecycle.js';
import { planNode } from './roles.js';
import { composeUseCases } from './use-cases.js';
import { composeWorkers } from './workers.js';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

export interface ParleyServer {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly http: FastifyInstance;
  readonly nodeId: string;
  readonly roles: ReadonlySet<Role>;
  /** Live WebSocket connections of this process. */
  connectionCount(): number;
  /** http://host:port once listening. */
  url(): string;
  /** The port of the gRPC service once listening (0 when this node runs no api role). */
  grpcPort(): number;
  /** host:port the gRPC service listens on, once listening. */
  grpcAddress(): string;
  start(): Promise<void>;
  /** Stops taking work, finishes in-flight requests (up to the shutdown timeout), closes the engines. */
  stop(): Promise<void>;
}

export interface ParleyOptions {
  /** Where log lines go (default stdout). */
  readonly logStream?: DestinationStream;
}

export async function createParley(
  config: Config,
  options: ParleyOptions = {},
): Promise<ParleyServer> {
  const plan = planNode(config);
  const logger = createLogger(config.log_level, options.logStream).child({ node_id: plan.nodeId });
  const lifecycle = new Lifecycle(logger);
  const clock = new SystemClock();
  const ids = new UlidIds();
  const metrics = createMetrics();
  let grpcPort = 0;
  const callbackHost = WILDCARD_HOSTS.has(config.grpc_host) ? '127.0.0.1' : config.grpc_host;
  try {
    const engines = await openEngines(config, plan, lifecycle, { logger, clock });
    const useCases = await composeUseCases(config, engines, lifecycle, {
      clock,
      ids,
      logger,
      metrics: metrics.registry,
      nodeId: plan.nodeId,
      clustered: plan.clustered,
      callbackAddr: () => config.grpc_advertise_addr ?? joinHostPort(callbackHost, grpcPort),
    });
    const edges = await composeEdges(config, plan, engines, useCases, lifecycle, {
      clock,
      ids,
      logger,
      metrics,
      onGrpcPort: (port) => {
        grpcPort = port;
      },
      grpcAddr: () =>
        grpcPort === 0
          ? undefined
          : (config.grpc_advertise_addr ?? joinHostPort(callbackHost, grpcPort)),
    });
    composeWorkers(config, plan, engines, useCases, lifecycle, { clock, logger, metrics });
    const health = edges.health;
    lifecycle.add({
      name: 'readiness',
      start: async () => {
        health.markReady();
        logStarted(logger, config, plan, edges.url(), grpcPort, engines.store.engine);
      },
      stop: async () => health.markDraining(),
    });
    return {
      config,
      logger,
      store: engines.store,
      http: edges.http,
      nodeId: plan.nodeId,
      roles: plan.roles,
      url: edges.url,
      grpcPort: () => grpcPort,
      grpcAddress: () => joinHostPort(config.grpc_host, grpcPort),
      connectionCount: edges.connectionCount,
      start: () => lifecycle.start(),
      async stop() {
        await lifecycle.stop();
        logger.info('Parley stopped');
      },
    };
  } catch (err) {
    await lifecycle.discard();
    throw err;
  }
}

function logStarted(
  logger: Logger,
  config: Config,
  plan: ReturnType<typeof planNode>,
  url: string,
  grpcPort: number,
  engine: string,
): void {
  const grpc = grpcPort === 0 ? undefined : joinHostPort(config.grpc_host, grpcPort);
  const roles = [...plan.roles].join(',');
  const grpcText =
    grpc === undefined ? '' : ` and on ${grpc} for gRPC (public API, extension callbacks)`;
  logger.info(
    {
      url,
      grpc,
      grpc_port: grpcPort,
      roles,
      engine,
      data_dir: config.data_dir,
      version: VERSION,
    },
    `Parley is listening on ${url}${grpcText}${plan.roles.size < 3 ? ` (roles: ${roles})` : ''}`,
  );
}
