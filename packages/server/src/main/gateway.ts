/** Part of the composition root: the WebSocket gateway (the `gateway` role's edge). */
import type { Logger } from 'pino';
import type { AuthContext } from '../app/accounts/auth-context.js';
import type { PresenceService } from '../app/presence/presence-service.js';
import type { Config } from '../config/schema.js';
import type { Bus, BusLink } from '../ports/bus.js';
import type { Presence } from '../ports/presence.js';
import { periodic } from './periodic.js';
import type { Store } from '../ports/store.js';
import type { Clock, Ids } from '../ports/system.js';
import { Hub } from '../transports/ws/hub.js';
import { RequestHandler } from '../transports/ws/request-handler.js';
import { WsGateway } from '../transports/ws/ws-gateway.js';
import { wsOps, type WsServices } from '../transports/ws/ws-ops.js';
import { bridgeOps } from '../transports/ws/bridge-ops.js';
import type { BridgeReadService } from '../app/bridges/bridge-read.js';

/** Request frames that may wait per connection, counted in largest frames (4 MiB by default). */
const WAITING_FRAMES = 4;

export interface GatewayParts {
  readonly hub: Hub;
  readonly gateway: WsGateway;
}

export function composeGateway(deps: {
  config: Config;
  store: Store;
  bus: Bus;
  presence: PresenceService;
  services: WsServices;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  authenticate: (token: string) => Promise<AuthContext>;
  onSlowConsumer: () => void;
  /** Who may follow a bridge account's updates (bridge.subscribe). */
  bridgeRead: Pick<BridgeReadService, 'authorize'>;
}): GatewayParts {
  const { config, store, clock, logger } = deps;
  const hub = new Hub(deps.bus);
  const ops = wsOps(deps.services, bridgeOps({ read: deps.bridgeRead, hub }));
  const gateway = new WsGateway(
    {
      authenticate: deps.authenticate,
      store,
      hub,
      presence: deps.presence,
      requests: new RequestHandler(ops, clock, logger),
      clock,
      ids: deps.ids,
      logger,
      onSlowConsumer: deps.onSlowConsumer,
    },
    {
      maxFrameBytes: config.ws_max_frame_bytes,
      maxContentBytes: config.max_content_bytes,
      sendQueueBytes: config.ws_send_queue_bytes,
      ratePerSecond: config.ws_rate_per_second,
      rateBurst: config.ws_rate_burst,
      maxInflight: config.ws_max_inflight,
      // Waiting requests hold their frames: a few frames' worth, whatever the burst.
      maxWaitingBytes: WAITING_FRAMES * config.ws_max_frame_bytes,
      idleTimeoutMs: config.ws_idle_timeout * 1000,
      pingIntervalMs: config.ws_ping_interval * 1000,
    },
  );
  return { hub, gateway };
}

/**
 * Keeps this gateway live in presence (every TTL / 3). When presence had lost it (the TTL ran
 * out during a long pause, or Redis restarted empty), its users are offline for everyone: its
 * clients reconnect and catch up by seq, and their new connections are recorded as they open.
 */
export function presenceHeartbeat(deps: {
  presence: Pick<Presence, 'touch'>;
  gateway: Pick<WsGateway, 'resyncAll'>;
  ttlMs: number;
  logger: Logger;
}) {
  const beat = async () => {
    const { lost } = await deps.presence.touch();
    if (!lost) return;
    const closed = deps.gateway.resyncAll('presence lost this gateway: reconnect and catch up');
    if (closed > 0) {
      deps.logger.warn({ connections: closed }, 'presence had lost this gateway: clients resync');
    }
  };
  const interval = Math.max(1, Math.floor(deps.ttlMs / 3));
  const beating = periodic('presence heartbeat', interval, beat, deps.logger);
  return {
    ...beating,
    start: async () => {
      await deps.presence.touch();
      await beating.start();
    },
  };
}

/**
 * Has the gateway's clients catch up when its bus link was interrupted: frames published while
 * it was down never came here. Once when the link is back, and once when it has been down for
 * `graceMs` (so that clients can move to a gateway that still has its link; a short blip costs
 * one wave of reconnects, not two).
 */
export function busLinkWatch(deps: {
  link: BusLink;
  gateway: Pick<WsGateway, 'resyncAll'>;
  graceMs: number;
  logger: Logger;
}) {
  let stopWatching: (() => void) | undefined;
  let grace: NodeJS.Timeout | undefined;
  const resync = (why: string) => {
    const closed = deps.gateway.resyncAll(`${why}: reconnect and catch up`);
    if (closed > 0) deps.logger.warn({ connections: closed }, `${why}: clients resync`);
  };
  return {
    name: 'bus link watch',
    start: async () => {
      stopWatching = deps.link.onLinkChange((up) => {
        clearTimeout(grace);
        if (up) resync('the bus link was interrupted');
        else grace = setTimeout(() => resync('the bus link is down'), deps.graceMs).unref();
      });
    },
    stop: async () => {
      clearTimeout(grace);
      stopWatching?.();
    },
  };
}
