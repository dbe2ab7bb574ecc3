/** The edge tier of the composition root: HTTP for every role, WebSocket and gRPC by role. */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { HealthService } from '../app/ops/health-service.js';
import type { Config } from '../config/schema.js';
import { parseOrigins } from '../config/values.js';
import type { Metrics } from '../observability/metrics.js';
import type { Clock, Ids } from '../ports/system.js';
import { ConnectionGuard } from '../transports/http/connection-guard.js';
import { buildHttpServer } from '../transports/http/http-server.js';
import { UpgradeRouter } from '../transports/shared/upgrade-router.js';
import { WS_PATH } from '../transports/ws/ws-gateway.js';
import { WorkerSocketServer } from '../transports/socketio/worker-namespace.js';
import { BridgeLivePublisher } from '../transports/ws/bridge-live.js';
import { composeBridgeIngest } from './bridge-ingest.js';
import { bridgeMetricsListener } from './bridge-metrics-listener.js';
import { VERSION } from '../version.js';
import type { Engines } from './engines.js';
import { composeDevices, deviceGatewayPart, type DeviceParts } from './devices.js';
import { busLinkWatch, composeGateway, presenceHeartbeat } from './gateway.js';
import { composeGrpc } from './grpc.js';
import type { Lifecycle } from './lifecycle.js';
import type { NodePlan } from './roles.js';
import type { UseCases } from './use-cases.js';
import { webAppDir } from './web-app.js';

/** How long a gateway keeps its clients while its bus link is down (they miss everything). */
const BUS_LINK_GRACE_MS = 10_000;
/** Connections past max_connections still accepted, for health checks only. */
const HEALTH_CHECK_HEADROOM = 64;

export interface Edges {
  readonly http: FastifyInstance;
  readonly health: HealthService;
  url(): string;
  connectionCount(): number;
}

export async function composeEdges(
  config: Config,
  plan: NodePlan,
  engines: Engines,
  useCases: UseCases,
  lifecycle: Lifecycle,
  deps: {
    clock: Clock;
    ids: Ids;
    logger: Logger;
    metrics: Metrics;
    onGrpcPort: (port: number) => void;
    /** host:port other nodes and services reach this node's gRPC on (none without the api role). */
    grpcAddr: () => string | undefined;
  },
): Promise<Edges> {
  const { clock, logger, metrics, grpcAddr } = deps;
  const { auth, messaging } = useCases;
  const gatewayParts = plan.roles.has('gateway')
    ? composeGateway({
        config,
        store: engines.store,
        bus: engines.bus,
        presence: useCases.presence,
        services: messaging.services,
        clock,
        ids: deps.ids,
        logger,
        authenticate: (token) => auth.authenticate(token),
        onSlowConsumer: () => metrics.wsSlowConsumers.inc(),
        bridgeRead: useCases.bridgeRead,
      })
    : undefined;
  const connectionCount = () => gatewayParts?.hub.count() ?? 0;
  const connections = new ConnectionGuard({
    maxPerAddress: config.max_connections_per_address,
    maxTotal: config.max_connections,
    healthHeadroom: HEALTH_CHECK_HEADROOM,
  });
  // One upgrade listener for every WebSocket path; each edge routes its own paths when it starts.
  const upgrades = new UpgradeRouter({
    isHealthOnly: (socket) => connections.isHealthOnly(socket),
  });
  const deviceParts: DeviceParts | undefined = plan.roles.has('gateway')
    ? composeDevices({
        config,
        store: engines.store,
        devices: useCases.devices,
        conversations: messaging.services.conversations,
        fanout: messaging.fanout,
        lifecycle,
        clock,
        ids: deps.ids,
        logger,
        metrics: metrics.devices,
      })
    : undefined;
  const health = new HealthService({
    store: engines.store,
    clock,
    connections: { count: connectionCount },
    engines: engines.probes,
    node: { id: plan.nodeId, roles: [...plan.roles] },
    ...(deviceParts !== undefined && {
      devices: {
        aiState: () => deviceParts.ai.state(),
        connections: () => deviceParts.gateway.count,
      },
    }),
  });

  const subscriptions = plan.roles.has('api')
    ? composeGrpc({
        config,
        engines,
        useCases,
        lifecycle,
        clock,
        ids: deps.ids,
        logger,
        metrics,
        onGrpcPort: deps.onGrpcPort,
      })
    : undefined;

  // Before the HTTP server in the lifecycle: started before it listens, stopped after it drains.
  const ingest = composeBridgeIngest(config, plan, engines, useCases, lifecycle, logger);
  const http = await buildHttpServer(
    {
      auth,
      users: useCases.users,
      health,
      messaging: messaging.services,
      social: useCases.social.services,
      groups: messaging.groups,
      worlds: messaging.worlds,
      metrics,
      logger,
      admin: { adminToken: config.admin_token, membership: engines.membership },
      devices: { service: useCases.devices, publicUrl: config.device_public_url },
      bridges: {
        workerTokens: useCases.workerTokens,
        accounts: useCases.bridgeAccounts,
        ingest,
        read: useCases.bridgeRead,
        grants: useCases.bridgeGrants,
        bodyLimit: config.bridge_body_limit,
      },
    },
    {
      bodyLimit: config.body_limit,
      trustProxy: config.trust_proxy,
      version: VERSION,
      headersTimeoutMs: config.http_headers_timeout * 1000,
      requestTimeoutMs: config.http_request_timeout * 1000,
      keepAliveTimeoutMs: config.http_keep_alive_timeout * 1000,
      connections,
      routes: { api: plan.roles.has('api'), gateway: gatewayParts !== undefined },
      corsOrigins: parseOrigins(config.cors_origins),
      ...(plan.roles.has('api') && { webAppDir: webAppDir(config, logger) }),
    },
  );
  upgrades.attach(http.server);
  // Bridge workers (seed 001) push over Socket.IO as well as HTTP: served where the API is.
  const workerSockets = plan.roles.has('api')
    ? new WorkerSocketServer(
        { ingest, workerTokens: useCases.workerTokens, clock, logger },
        { bodyLimit: config.bridge_body_limit },
      )
    : undefined;
  workerSockets?.attach(http.server, upgrades);
  if (plan.roles.has('api')) {
    // Batches commit where the API is served; their changes reach every gateway by the bus.
    useCases.bridgeSync.onCommit(new BridgeLivePublisher(engines.bus, logger).committed);
    useCases.bridgeSync.onCommit(bridgeMetricsListener(metrics.bridges));
    metrics.bridges.watchAccounts(() => engines.store.bridgeItems.listAccounts());
  }
  let address = '';
  lifecycle.add({
    name: 'HTTP server',
    start: async () => {
      address = await http.listen({
        host: config.host,
        port: config.port,
        backlog: config.listen_backlog,
      });
    },
    stop: async () => {
      const deadline = config.shutdown_timeout * 1000;
      const timer = setTimeout(() => http.server.closeAllConnections(), deadline).unref();
      try {
        await http.close();
      } finally {
        clearTimeout(timer);
      }
    },
  });
  if (workerSockets !== undefined) {
    // Added after the HTTP server, so stopped before it: workers are disconnected first.
    lifecycle.add({ name: 'bridge worker sockets', stop: async () => workerSockets.close() });
  }
  if (gatewayParts !== undefined || subscriptions !== undefined) {
    // WebSocket connections and Subscribe streams alike are in presence and take bus topics:
    // both resync when this node may have missed events for them.
    const streams = {
      resyncAll: (reason: string) =>
        (gatewayParts?.gateway.resyncAll(reason) ?? 0) + (subscriptions?.resyncAll(reason) ?? 0),
    };
    lifecycle.add(
      presenceHeartbeat({
        presence: engines.presence,
        gateway: streams,
        ttlMs: config.presence_ttl * 1000,
        logger,
      }),
    );
    if (engines.busLink !== undefined) {
      lifecycle.add(
        busLinkWatch({
          link: engines.busLink,
          gateway: streams,
          graceMs: BUS_LINK_GRACE_MS,
          logger,
        }),
      );
    }
  }
  if (gatewayParts !== undefined) {
    lifecycle.add({
      name: 'WebSocket gateway',
      start: async () => {
        const { gateway } = gatewayParts;
        upgrades.route(WS_PATH, (req, socket, head, url) =>
          gateway.handleUpgrade(req, socket, head, url),
        );
        gateway.start();
      },
      stop: async () => {
        gatewayParts.gateway.close();
      },
    });
  }
  if (deviceParts !== undefined) lifecycle.add(deviceGatewayPart(deviceParts.gateway, upgrades));
  lifecycle.add({
    name: 'cluster membership',
    // Listed once listening; a clean stop leaves the list at once (the lease is revoked).
    // etcd away at start does not stop the node: the record is written once it is back.
    start: () =>
      engines.membership
        .register({
          node_id: plan.nodeId,
          roles: [...plan.roles],
          http_url: address,
          ...(grpcAddr() !== undefined && { grpc_addr: grpcAddr() }),
          version: VERSION,
          started_at: new Date(clock.now()).toISOString(),
        })
        .catch((err: unknown) =>
          logger.warn({ err }, 'not yet listed in the cluster membership; retrying'),
        ),
  });
  return { http, health, url: () => address, connectionCount };
}
