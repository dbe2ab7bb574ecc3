import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AuthContext } from '../../app/accounts/auth-context.js';
import { toPublicUser } from '../../domain/user.js';
import type { Store } from '../../ports/store.js';
import type { Clock, Ids } from '../../ports/system.js';
import { CLOSE, encodeEvent } from '../../protocol/ws-frames.js';
import type { PresenceService } from '../../app/presence/presence-service.js';
import { parseBearer } from '../shared/bearer.js';
import { GatewayConnection, type ConnectionLimits } from './gateway-connection.js';
import type { Hub } from './hub.js';
import type { RequestHandler } from './request-handler.js';
import { TickWrites } from './tick-writes.js';
import { isAppError } from '../../domain/errors.js';
import { HTTP_STATUS } from '../../protocol/http-status.js';
import { rejectUpgrade as reject } from '../shared/upgrade-router.js';

export const WS_PATH = '/v1/ws';

export interface GatewayOptions extends ConnectionLimits {
  readonly maxFrameBytes: number;
  readonly maxContentBytes: number;
  readonly idleTimeoutMs: number;
  readonly pingIntervalMs: number;
}

export interface GatewayDeps {
  readonly authenticate: (token: string) => Promise<AuthContext>;
  readonly store: Store;
  readonly hub: Hub;
  readonly presence: PresenceService;
  readonly requests: RequestHandler;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly logger: Logger;
  /** Told when a connection is cut off for not reading (for metrics). */
  readonly onSlowConsumer?: () => void;
}

/** `GET /v1/ws`: authenticate before the upgrade, then run the connection's life. */
export class WsGateway {
  readonly #deps: GatewayDeps;
  readonly #options: GatewayOptions;
  readonly #wss: WebSocketServer;
  readonly #writes = new TickWrites();
  #heartbeat: NodeJS.Timeout | undefined;
  #accepting = true;

  constructor(deps: GatewayDeps, options: GatewayOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
  }

  /** Starts the heartbeat (pings and the idle sweep); upgrades come through `handleUpgrade`. */
  start(): void {
    const sweepMs = Math.min(1_000, this.#options.pingIntervalMs, this.#options.idleTimeoutMs);
    this.#heartbeat = setInterval(() => this.#sweep(), sweepMs).unref();
  }

  /** An upgrade request for `/v1/ws`, from the upgrade router. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    void this.#upgrade(req, socket, head, url);
  }

  /** Stops taking connections and closes the open ones with 1001 (going away). */
  close(): void {
    this.#accepting = false;
    clearInterval(this.#heartbeat);
    for (const conn of [...this.#deps.hub.connections()]) {
      conn.close(CLOSE.goingAway, 'server shutting down');
    }
  }

  /**
   * Closes every connection with 1012 when this gateway may have missed events for them (its
   * bus link or its presence record was lost): each client reconnects, here or to another
   * gateway, and catches up by seq. Returns how many were closed.
   */
  resyncAll(reason: string): number {
    const open = [...this.#deps.hub.connections()];
    for (const conn of open) conn.close(CLOSE.resync, reason);
    return open.length;
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    if (!this.#accepting) return reject(req, socket, 503, 'UNAVAILABLE', 'Shutting down.');
    const token = tokenOf(req, url);
    if (token === undefined) {
      return reject(
        req,
        socket,
        401,
        'UNAUTHENTICATED',
        'Send the access token as "Authorization: Bearer <token>" or ?access_token=.',
      );
    }
    let auth: AuthContext;
    try {
      auth = await this.#deps.authenticate(token);
    } catch (err) {
      // An engine that does not answer (the session store) is not a bad token: the client
      // comes back later rather than logging in again.
      if (isAppError(err) && err.code !== 'UNAUTHENTICATED') {
        return reject(req, socket, HTTP_STATUS[err.code], err.code, err.message);
      }
      const message = err instanceof Error ? err.message : 'The access token is invalid.';
      return reject(req, socket, 401, 'UNAUTHENTICATED', message);
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      void this.#open(ws, auth).catch((err: unknown) => {
        this.#deps.logger.error({ err }, 'websocket setup failed');
        ws.close(CLOSE.internal, 'internal error');
      });
    });
  }

  async #open(ws: WebSocket, auth: AuthContext): Promise<void> {
    const { clock, hub, store } = this.#deps;
    const conn = new GatewayConnection({
      id: `c-${this.#deps.ids.next()}`,
      ws,
      auth,
      limits: this.#options,
      now: clock.now(),
      onSlow: () => this.#deps.onSlowConsumer?.(),
      writes: this.#writes,
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      conn.markClosed();
      hub.remove(conn);
      void this.#deps.presence
        .disconnected(auth.userId, conn.id)
        .catch((err: unknown) => this.#deps.logger.warn({ err }, 'presence update failed'));
    });
    ws.on('pong', () => (conn.lastActivity = clock.now()));
    ws.on('message', (data, isBinary) => {
      conn.lastActivity = clock.now();
      if (isBinary) {
        conn.send(
          '{"id":null,"ok":false,"error":{"code":"INVALID_ARGUMENT","reason":"INVALID_ARGUMENT","message":"Send text frames."}}',
        );
        return;
      }
      void this.#deps.requests.handle(conn, data.toString());
    });

    const [user, subscriptions] = await Promise.all([
      store.users.findById(auth.userId),
      store.conversations.idsForUser(auth.userId, ['group', 'world']),
    ]);
    if (user === undefined || !conn.isOpen) {
      conn.close(CLOSE.sessionEnded, 'account not found');
      return;
    }
    // Subscribed first (over several turns for a user in many groups), then ready: frames that
    // arrive meanwhile, events and replies alike, are held and follow ready in order.
    if (!(await hub.add(conn, subscriptions))) return;
    conn.start(
      encodeEvent('ready', {
        user: toPublicUser(user),
        session_id: auth.sessionId,
        connection_id: conn.id,
        server_time: clock.now(),
        limits: {
          max_frame_bytes: this.#options.maxFrameBytes,
          max_content_bytes: this.#options.maxContentBytes,
          requests_per_second: this.#options.ratePerSecond,
        },
      }),
    );
    await this.#deps.presence.connected(auth.userId, conn.id);
  }

  /** Closes idle connections and pings the others. */
  #sweep(): void {
    const now = this.#deps.clock.now();
    for (const conn of this.#deps.hub.connections()) {
      if (now - conn.lastActivity > this.#options.idleTimeoutMs) {
        conn.close(CLOSE.idle, 'idle timeout');
      } else if (now - conn.lastPing >= this.#options.pingIntervalMs) {
        conn.ping(now);
      }
    }
  }
}

function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  return (
    parseBearer(req.headers.authorization) ?? url.searchParams.get('access_token') ?? undefined
  );
}
