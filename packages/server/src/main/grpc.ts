/** Part of the composition root: the one gRPC server of the `api` role. */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Metrics } from '../observability/metrics.js';
import type { Clock, Ids } from '../ports/system.js';
import { addAuthService } from '../transports/grpc/auth-grpc.js';
import { addConversationService } from '../transports/grpc/conversation-grpc.js';
import { EventCodec } from '../transports/grpc/event-codec.js';
import { ExtCallbackService } from '../transports/grpc/ext-callback-service.js';
import type { CallGuard } from '../transports/grpc/grpc-call.js';
import { GrpcServer } from '../transports/grpc/grpc-server.js';
import type { GrpcSubscriber } from '../transports/grpc/grpc-subscriber.js';
import { addGroupService } from '../transports/grpc/group-grpc.js';
import { addMessageService } from '../transports/grpc/message-grpc.js';
import { SenderNames } from '../transports/grpc/sender-names.js';
import { Subscriptions } from '../transports/grpc/subscribe-grpc.js';
import { addUserService } from '../transports/grpc/user-grpc.js';
import { UserRateLimits } from '../transports/grpc/user-rate-limits.js';
import { Hub } from '../transports/ws/hub.js';
import type { Engines } from './engines.js';
import type { Lifecycle } from './lifecycle.js';
import type { UseCases } from './use-cases.js';

/** Idle connections are pinged this often; one that does not answer in time is dropped. */
const KEEPALIVE_TIME_MS = 60_000;
const KEEPALIVE_TIMEOUT_MS = 20_000;

/**
 * The public API (seed 003), the extension callback, health and reflection on one server,
 * listening on grpc_host:grpc_port. Returns the Subscribe streams (for resyncs).
 */
export function composeGrpc(deps: {
  config: Config;
  engines: Engines;
  useCases: UseCases;
  lifecycle: Lifecycle;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  metrics: Metrics;
  onGrpcPort: (port: number) => void;
}): Subscriptions {
  const { config, engines, useCases, clock, logger, metrics } = deps;
  const { messaging } = useCases;
  const server = new GrpcServer(
    {
      maxMessageBytes: config.grpc_max_message_bytes,
      keepaliveTimeMs: KEEPALIVE_TIME_MS,
      keepaliveTimeoutMs: KEEPALIVE_TIMEOUT_MS,
      shutdownTimeoutMs: config.shutdown_timeout * 1000,
    },
    { logger, metrics },
  );
  const guard: CallGuard = {
    authenticate: (token) => useCases.auth.authenticate(token),
    limits: new UserRateLimits({
      perSecond: config.grpc_rate_per_second,
      burst: config.grpc_rate_burst,
    }),
    clock,
    logger,
  };
  new ExtCallbackService(messaging.extensionFlow, logger).addTo(server);
  addAuthService(server, guard, useCases.auth);
  addConversationService(server, guard, messaging.services);
  const names = new SenderNames(useCases.users, () => clock.now());
  const subscriptions = new Subscriptions({
    guard,
    // Its own hub: streams are not WebSocket connections (no pings, no idle sweep).
    hub: new Hub<GrpcSubscriber>(engines.bus),
    codec: new EventCodec(names),
    history: messaging.services.history,
    names,
    presence: useCases.presence,
    subscriptionsOf: (userId) => engines.store.conversations.idsForUser(userId, ['group', 'world']),
    ids: deps.ids,
    clock,
    logger,
    maxQueued: config.grpc_stream_queue,
    onSlow: () => metrics.grpcSlowSubscribers.inc(),
  });
  addMessageService(
    server,
    {
      guard,
      services: messaging.services,
      names,
      maxContentBytes: config.max_content_bytes,
    },
    subscriptions,
  );
  addUserService(server, guard, useCases.users, useCases.presence);
  addGroupService(server, guard, messaging.groups, useCases.presence);
  deps.lifecycle.add({
    name: 'gRPC server',
    start: async () => {
      deps.onGrpcPort(await server.listen(config.grpc_host, config.grpc_port));
      server.setServing(true);
    },
    stop: async () => {
      subscriptions.close();
      await server.close();
    },
  });
  return subscriptions;
}
