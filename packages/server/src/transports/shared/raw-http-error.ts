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
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, reason: code, message, trace_id: traceId } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
