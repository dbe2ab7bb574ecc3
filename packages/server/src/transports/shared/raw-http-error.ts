import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../../domain/errors.js';

/**
 * Answers on a bare socket, outside any framework, with an HTTP error in the protocol's shape
 * and closes it: for WebSocket upgrades that are refused, and for requests Node's HTTP parser
 * gives up on (headers too large, malformed, too slow) before Fastify sees them.
 */
export function endWithHttpError(
  socket: Duplex,
  status: number,
  code: ErrorCode,
  message: string,
  traceId: string,
): void {
  endWithJson(socket, status, { error: { code, reason: code, message, trace_id: traceId } });
}

/** Answers on a bare socket with `status` and a JSON body, and closes it. */
export function endWithJson(socket: Duplex, status: number, value: unknown): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify(value);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * The path of the request Node's HTTP parser gave up on, read from the bytes it had (its
 * request line); undefined when they do not hold one.
 */
export function rawRequestPath(err: NodeJS.ErrnoException): string | undefined {
  const raw = (err as { rawPacket?: unknown }).rawPacket;
  if (!Buffer.isBuffer(raw)) return undefined;
  const end = raw.indexOf('\r\n');
  const line = raw.subarray(0, end < 0 ? Math.min(raw.length, 8192) : end).toString('latin1');
  return /^[A-Z]+ (\/\S*) HTTP\/1\.[01]$/.exec(line)?.[1];
}
