import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../../domain/errors.js';
import { endWithHttpError } from './raw-http-error.js';
import { traceIdOf } from './trace.js';

/** Takes one WebSocket upgrade request for a path it was routed. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void;

/**
 * The one `upgrade` listener of the HTTP server: it refuses what no edge should see (a
 * connection kept for health checks, an unknown path) and hands each request to the edge that
 * owns its path (`/v1/ws` to the chat gateway, `/ws` and `/xiaozhi/v1/` to the device gateway),
 * so that every edge only speaks its own protocol.
 */
export class UpgradeRouter {
  readonly #routes = new Map<string, UpgradeHandler>();
  readonly #isHealthOnly: (socket: Duplex) => boolean;
  #attached = false;

  constructor(options: { isHealthOnly?: (socket: Duplex) => boolean } = {}) {
    this.#isHealthOnly = options.isHealthOnly ?? (() => false);
  }

  /** Routes the upgrades of `path` (exact match, as the client sent it) to `handler`. */
  route(path: string, handler: UpgradeHandler): this {
    if (this.#routes.has(path)) throw new Error(`Upgrade path ${path} is routed twice`);
    this.#routes.set(path, handler);
    return this;
  }

  attach(server: Server): void {
    if (this.#attached) return;
    this.#attached = true;
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#dispatch(req, socket, head),
    );
  }

  #dispatch(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    if (this.#isHealthOnly(socket)) {
      return rejectUpgrade(
        req,
        socket,
        503,
        'UNAVAILABLE',
        'The server is at its connection limit.',
      );
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return rejectUpgrade(
        req,
        socket,
        400,
        'INVALID_ARGUMENT',
        'The request target is malformed.',
      );
    }
    const handler = this.#routes.get(url.pathname);
    if (handler === undefined) {
      return rejectUpgrade(req, socket, 404, 'NOT_FOUND', 'No WebSocket here.');
    }
    handler(req, socket, head, url);
  }
}

/** Answers an upgrade request with an HTTP error in the protocol's shape. */
export function rejectUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  status: number,
  code: ErrorCode,
  message: string,
): void {
  endWithHttpError(socket, status, code, message, traceIdOf(req));
}
