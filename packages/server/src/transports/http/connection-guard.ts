import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface ConnectionGuardOptions {
  /** Open connections one client address may hold; 0: no per-address bound. */
  readonly maxPerAddress: number;
  /** Open connections in all; past it only health checks are served. */
  readonly maxTotal: number;
  /** Connections past `maxTotal` kept for health checks, so a full server can still say so. */
  readonly healthHeadroom: number;
}

/**
 * Bounds the TCP connections of the HTTP server (WebSockets included, they start as HTTP),
 * so that idle sockets cannot use up the process's file descriptors: a client address past
 * its share is cut at once; past the total, a few more are accepted for health checks only,
 * then every new one is cut. Counted on the socket, before any byte is read.
 */
export class ConnectionGuard {
  readonly #options: ConnectionGuardOptions;
  readonly #byAddress = new Map<string, number>();
  readonly #healthOnly = new WeakSet<Duplex>();
  #total = 0;

  constructor(options: ConnectionGuardOptions) {
    this.#options = options;
  }

  /** Open connections now. */
  get total(): number {
    return this.#total;
  }

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.#admit(socket));
  }

  /** True for a connection accepted in the headroom: it may only ask for its health. */
  isHealthOnly(socket: Duplex): boolean {
    return this.#healthOnly.has(socket);
  }

  #admit(socket: Socket): void {
    const address = socket.remoteAddress;
    const { maxPerAddress, maxTotal, healthHeadroom } = this.#options;
    const held = address === undefined ? 0 : (this.#byAddress.get(address) ?? 0);
    if (
      address === undefined ||
      (maxPerAddress > 0 && held >= maxPerAddress) ||
      this.#total >= maxTotal + healthHeadroom
    ) {
      socket.destroy();
      return;
    }
    if (this.#total >= maxTotal) this.#healthOnly.add(socket);
    this.#total++;
    this.#byAddress.set(address, held + 1);
    socket.once('close', () => {
      this.#total--;
      const left = (this.#byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.#byAddress.set(address, left);
      else this.#byAddress.delete(address);
    });
  }
}
