import type { Server as HttpServer } from 'node:http';
import type { Logger } from 'pino';
import { Server, type Socket } from 'socket.io';
import type { WorkerTokenService } from '../../app/bridges/worker-tokens.js';
import type { Clock } from '../../ports/system.js';
import {
  answer,
  ERROR_TYPE,
  parseEnvelope,
  refusal,
  SYNC_ACK_TYPE,
  SYNC_TYPE,
  WORKER_EVENT,
  WORKER_NAMESPACE,
  type WorkerErrorBody,
} from '../../protocol/worker-envelope.js';
import { parseBearer } from '../shared/bearer.js';
import type { BridgeIngest } from '../shared/bridge-ingest.js';
import type { UpgradeRouter } from '../shared/upgrade-router.js';

/** Socket.IO's default path: what the original's workers connect to. */
export const SOCKET_IO_PATH = '/socket.io/';
/** Sync payloads one socket may have waiting behind the one being stored. */
const MAX_WAITING = 4;

export interface WorkerSocketDeps {
  readonly ingest: BridgeIngest;
  readonly workerTokens: WorkerTokenService;
  readonly clock: Clock;
  readonly logger: Logger;
}

interface WorkerSocketData {
  token: string;
  workerId: string;
  /** The payloads of this socket are stored one after the other, and acked in order. */
  queue: Promise<void>;
  waiting: number;
}

type Ack = (answer: unknown) => void;

const UNAUTHENTICATED: WorkerErrorBody = {
  code: 'UNAUTHENTICATED',
  reason: 'UNAUTHENTICATED',
  message: 'Send a live worker token in auth.token or as "Authorization: Bearer pwk_…".',
};

function tokenOf(socket: Socket): string | undefined {
  const auth = socket.handshake.auth as Record<string, unknown> | undefined;
  const given = auth?.token;
  if (typeof given === 'string' && given !== '') return parseBearer(given) ?? given;
  return parseBearer(socket.handshake.headers.authorization);
}

/**
 * The Socket.IO namespace `/worker` of BRIDGE.md, on Parley's HTTP server: workers emit
 * `worker:data:sync` envelopes and get the ack once the payload has committed. Nothing a
 * worker sends makes Parley drop the connection; a payload over `maxHttpBufferSize` (the
 * bridge body limit) is Socket.IO's own refusal: it closes that connection, storing nothing.
 */
export class WorkerSocketServer {
  readonly #deps: WorkerSocketDeps;
  readonly #io: Server;

  constructor(deps: WorkerSocketDeps, options: { readonly bodyLimit: number }) {
    this.#deps = deps;
    this.#io = new Server({
      path: SOCKET_IO_PATH,
      serveClient: false,
      maxHttpBufferSize: options.bodyLimit,
    });
    // Only /worker: a client on the main namespace is told where to go.
    this.#io.use((_socket, next) =>
      next(
        Object.assign(new Error('Connect to the /worker namespace.'), {
          data: { code: 'NOT_FOUND' },
        }),
      ),
    );
    const workers = this.#io.of(WORKER_NAMESPACE);
    workers.use((socket, next) => {
      void this.#authenticate(socket).then(next, (err: unknown) => {
        this.#deps.logger.error({ err }, 'worker authentication failed');
        next(
          Object.assign(new Error('Internal error; see the server log.'), {
            data: { code: 'INTERNAL' },
          }),
        );
      });
    });
    workers.on('connection', (socket) => this.#connected(socket));
  }

  /**
   * Serves Socket.IO's path on `server`: its HTTP requests (long polling) are taken before
   * Fastify sees them, and its WebSocket upgrades come through the upgrade router like every
   * other edge's (Socket.IO's own upgrade listener is removed: the router is the only one).
   */
  attach(server: HttpServer, upgrades: UpgradeRouter): void {
    const before = new Set(server.listeners('upgrade'));
    this.#io.attach(server);
    for (const listener of server.listeners('upgrade')) {
      if (!before.has(listener)) server.off('upgrade', listener as (...args: unknown[]) => void);
    }
    upgrades.route(SOCKET_IO_PATH, (req, socket, head) =>
      this.#io.engine.handleUpgrade(req, socket, head),
    );
  }

  /** Disconnects every worker; the HTTP server is closed by its own owner. */
  close(): void {
    this.#io.of(WORKER_NAMESPACE).disconnectSockets(true);
    this.#io.engine.close();
  }

  async #authenticate(socket: Socket): Promise<Error | undefined> {
    const token = tokenOf(socket);
    const worker =
      token === undefined ? undefined : await this.#deps.workerTokens.authenticate(token);
    if (token === undefined || worker === undefined) {
      return Object.assign(new Error(UNAUTHENTICATED.message), { data: UNAUTHENTICATED });
    }
    const data: WorkerSocketData = {
      token,
      workerId: worker.id,
      queue: Promise.resolve(),
      waiting: 0,
    };
    socket.data = data;
    return undefined;
  }

  #connected(socket: Socket): void {
    const data = socket.data as WorkerSocketData;
    this.#deps.logger.info(
      { worker_token_id: data.workerId, socket_id: socket.id },
      'worker connected',
    );
    socket.on(WORKER_EVENT, (...args: unknown[]) => this.#message(socket, data, args));
    // join_room, registration, heartbeats…: acknowledged when the worker asks, never a reason
    // to disconnect.
    socket.onAny((event: string, ...args: unknown[]) => {
      if (event === WORKER_EVENT) return;
      const ack = args.at(-1);
      if (typeof ack === 'function') (ack as Ack)({ success: true });
    });
    socket.on('disconnect', (reason) =>
      this.#deps.logger.info({ worker_token_id: data.workerId, reason }, 'worker disconnected'),
    );
  }

  #message(socket: Socket, data: WorkerSocketData, args: unknown[]): void {
    const ack = typeof args.at(-1) === 'function' ? (args.at(-1) as Ack) : undefined;
    const reply = (message: Record<string, unknown>) => {
      socket.emit(WORKER_EVENT, message);
      ack?.(message);
    };
    const now = () => this.#deps.clock.now();
    const parsed = parseEnvelope(args[0]);
    if (!parsed.ok) {
      const error = {
        code: 'INVALID_ARGUMENT',
        reason: 'INVALID_ARGUMENT',
        message: parsed.message,
      };
      reply(
        answer(ERROR_TYPE, { success: false, timestamp: now(), error }, parsed.requestId, now()),
      );
      return;
    }
    const { envelope } = parsed;
    if (envelope.type !== SYNC_TYPE) {
      ack?.({ success: true });
      return;
    }
    const refuse = (error: WorkerErrorBody) =>
      reply(
        answer(SYNC_ACK_TYPE, refusal(envelope.payload, error, now()), envelope.requestId, now()),
      );
    if (data.waiting >= MAX_WAITING) {
      refuse({
        code: 'RESOURCE_EXHAUSTED',
        reason: 'RATE_LIMITED',
        message: `At most ${MAX_WAITING} sync payloads may wait per connection; wait for the acks.`,
      });
      return;
    }
    data.waiting++;
    data.queue = data.queue
      .then(() => this.#sync(data, envelope.payload))
      .then(
        (result) =>
          'error' in result
            ? refuse(result.error)
            : reply(answer(SYNC_ACK_TYPE, result.ack, envelope.requestId, now())),
        (err: unknown) => {
          this.#deps.logger.error({ err, worker_token_id: data.workerId }, 'a bridge sync failed');
          refuse({
            code: 'INTERNAL',
            reason: 'INTERNAL',
            message: 'Internal error; see the server log.',
          });
        },
      )
      .finally(() => {
        data.waiting--;
      });
  }

  async #sync(
    data: WorkerSocketData,
    payload: unknown,
  ): Promise<{ ack: unknown } | { error: WorkerErrorBody }> {
    // Checked again for every payload: a token revoked while connected stops here.
    const worker = await this.#deps.workerTokens.authenticate(data.token);
    if (worker === undefined) return { error: UNAUTHENTICATED };
    const outcome = await this.#deps.ingest.ingest({ value: payload }, worker.id);
    if (outcome.ok) return { ack: outcome.ack };
    const { refusal } = outcome;
    if (refusal.code === 'INVALID_ARGUMENT') {
      this.#deps.logger.info(
        { worker_token_id: data.workerId, field: refusal.field },
        'a bridge sync payload was refused',
      );
    }
    return { error: refusal };
  }
}
