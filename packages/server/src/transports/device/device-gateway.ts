import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { DeviceService } from '../../app/devices/device-service.js';
import { DeviceSession, type DeviceSessionDeps } from '../../app/devices/device-session.js';
import type { DeviceIdentity } from '../../domain/device.js';
import { isAppError } from '../../domain/errors.js';
import { parseProtocolVersion, type ProtocolVersion } from '../../protocol/device-audio.js';
import { DEVICE_CLOSE } from '../../protocol/device-frames.js';
import { HTTP_STATUS } from '../../protocol/http-status.js';
import { parseBearer } from '../shared/bearer.js';
import { rejectUpgrade } from '../shared/upgrade-router.js';
import { DeviceConnection, type DeviceConnectionLimits } from './device-connection.js';

/** The device endpoint's paths (DEVICES.md): the seed's and the xiaozhi ecosystem's default. */
export const DEVICE_PATHS = ['/ws', '/xiaozhi/v1/', '/xiaozhi/v1'] as const;

export interface DeviceGatewayOptions extends DeviceConnectionLimits {
  readonly maxFrameBytes: number;
  readonly helloTimeoutMs: number;
  readonly pingIntervalMs: number;
}

export interface DeviceGatewayDeps {
  readonly devices: DeviceService;
  readonly session: DeviceSessionDeps;
  readonly logger: Logger;
  readonly onSlowConsumer?: () => void;
  readonly onConnectionsChanged?: (open: number) => void;
}

/** How long a shutdown waits for devices to close (they are terminated after 1 s anyway). */
const CLOSE_WAIT_MS = 1_500;

interface Live {
  readonly conn: DeviceConnection;
  readonly session: DeviceSession;
  readonly openedAt: number;
}

/**
 * `GET /ws` and `GET /xiaozhi/v1/`: authenticates a device before the upgrade (headers, or
 * query parameters for browsers), then runs its session until it goes.
 */
export class DeviceGateway {
  readonly #deps: DeviceGatewayDeps;
  readonly #options: DeviceGatewayOptions;
  readonly #wss: WebSocketServer;
  readonly #live = new Set<Live>();
  #sweeper: NodeJS.Timeout | undefined;
  #accepting = true;

  constructor(deps: DeviceGatewayDeps, options: DeviceGatewayOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxFrameBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
  }

  get count(): number {
    return this.#live.size;
  }

  start(): void {
    this.#accepting = true;
  }

  /**
   * Stops taking devices and closes the connected ones with 1001; resolves once they are gone
   * (their sessions recorded), or after `CLOSE_WAIT_MS`.
   */
  async close(): Promise<void> {
    this.#accepting = false;
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
    const open = [...this.#live];
    const gone = Promise.all(
      open.map(
        ({ conn }) =>
          new Promise<void>((resolve) => {
            conn.onClosed(resolve);
            conn.close(DEVICE_CLOSE.goingAway, 'server shutting down');
          }),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_WAIT_MS);
    });
    await Promise.race([gone, timeout]);
    clearTimeout(timer);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    void this.#upgrade(req, socket, head, url).catch((err: unknown) => {
      this.#deps.logger.error({ err }, 'device upgrade failed');
      socket.destroy();
    });
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    if (!this.#accepting) return rejectUpgrade(req, socket, 503, 'UNAVAILABLE', 'Shutting down.');
    const param = (header: string) => {
      const value = req.headers[header];
      return (Array.isArray(value) ? value[0] : value) ?? url.searchParams.get(header) ?? undefined;
    };
    const authorization = param('authorization');
    const token =
      parseBearer(authorization) ??
      (authorization !== undefined && !/\s/.test(authorization) ? authorization : undefined) ??
      url.searchParams.get('access_token') ??
      undefined;
    const deviceId = param('device-id');
    if (token === undefined || deviceId === undefined || deviceId === '') {
      return rejectUpgrade(
        req,
        socket,
        401,
        'UNAUTHENTICATED',
        'Send "Authorization: Bearer <token>" and "Device-Id" (or ?authorization=Bearer%20<token>&device-id=).',
      );
    }
    const version = parseProtocolVersion(param('protocol-version'));
    if (version === undefined) {
      return rejectUpgrade(req, socket, 400, 'INVALID_ARGUMENT', 'Protocol-Version is 1, 2 or 3.');
    }
    const clientId = (param('client-id') ?? '').slice(0, 128);
    let who: DeviceIdentity;
    try {
      who = await this.#deps.devices.authenticateDevice({ token, deviceId, clientId });
    } catch (err) {
      if (isAppError(err) && err.code !== 'UNAUTHENTICATED') {
        return rejectUpgrade(req, socket, HTTP_STATUS[err.code], err.code, err.message);
      }
      const message = err instanceof Error ? err.message : 'The token is invalid.';
      return rejectUpgrade(req, socket, 401, 'UNAUTHENTICATED', message);
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#open(ws, socket, who, version));
  }

  #open(ws: WebSocket, socket: Duplex, who: DeviceIdentity, version: ProtocolVersion): void {
    const { session: sessionDeps, logger } = this.#deps;
    const now = () => sessionDeps.clock.now();
    const bound: { session?: DeviceSession } = {};
    const conn = new DeviceConnection({
      ws,
      socket,
      version,
      limits: this.#options,
      now,
      onSlow: (buffered) => {
        this.#deps.onSlowConsumer?.();
        bound.session?.slowConsumer(buffered);
        logger.warn({ device_id: who.deviceId, buffered }, 'device cut off: it does not read');
      },
    });
    const session = new DeviceSession(sessionDeps, {
      id: sessionDeps.ids.next(),
      who,
      output: conn,
      metadata: { protocol_version: version },
    });
    conn.bind(session);
    bound.session = session;
    const live: Live = { conn, session, openedAt: now() };
    this.#live.add(live);
    this.#liveChanged();
    session.connected();
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: Buffer, isBinary) => {
      try {
        conn.receive(data, isBinary);
      } catch (err) {
        // A bug met by one device's frame closes that device, never the process.
        logger.error({ err, device_id: who.deviceId }, 'device frame handling failed');
        conn.close(DEVICE_CLOSE.internal, 'internal error');
      }
    });
    ws.on('close', (code, reason) => {
      this.#live.delete(live);
      this.#liveChanged();
      session.disconnected(reason.toString('utf8'), code);
    });
  }

  /** The sweep runs while devices are connected: a gateway without any never wakes for it. */
  #liveChanged(): void {
    const count = this.#live.size;
    this.#deps.onConnectionsChanged?.(count);
    if (count > 0 && this.#sweeper === undefined && this.#accepting) {
      this.#sweeper = setInterval(() => this.#sweep(), 1_000).unref();
    } else if (count === 0 && this.#sweeper !== undefined) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  /** Hello timeouts, pings, and the sessions' activity bookkeeping. */
  #sweep(): void {
    const now = this.#deps.session.clock.now();
    for (const { conn, session, openedAt } of this.#live) {
      if (!session.started && now - openedAt > this.#options.helloTimeoutMs) {
        conn.close(DEVICE_CLOSE.helloTimeout, 'no hello in time');
        continue;
      }
      if (now - conn.lastPing >= this.#options.pingIntervalMs) conn.ping(now);
      session.sweep(now);
    }
  }
}
