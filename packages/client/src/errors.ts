import type { ErrorCode } from './types.js';

/** An error answered by the server, in the protocol's error shape. */
export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly traceId: string | undefined;
  /**
   * The server's stable reason (`CONVERSATION_NOT_FOUND`, `NOT_A_MEMBER`, …; the code when
   * none is more specific); undefined for errors the client raised itself.
   */
  readonly reason: string | undefined;

  constructor(code: ErrorCode, message: string, status: number, traceId?: string, reason?: string) {
    super(message);
    this.name = 'ParleyError';
    this.code = code;
    this.status = status;
    this.traceId = traceId;
    this.reason = reason;
  }
}
