import type { ErrorCode } from './types.js';

/** An error answered by the server, in the protocol's error shape. */
export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly traceId: string | undefined;

  constructor(code: ErrorCode, message: string, status: number, traceId?: string) {
    super(message);
    this.name = 'ParleyError';
    this.code = code;
    this.status = status;
    this.traceId = traceId;
  }
}
