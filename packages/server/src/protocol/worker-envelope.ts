/**
 * The Socket.IO envelope of BRIDGE.md: a worker emits `message` with
 * `{type, version: "v1", payload, timestamp, requestId?}` and, for `worker:data:sync`, gets a
 * `message` back with `{type: "worker:data:sync:ack", version: "v1", payload, timestamp,
 * requestId}`.
 */

export const WORKER_NAMESPACE = '/worker';
export const WORKER_EVENT = 'message';
export const ENVELOPE_VERSION = 'v1';
export const SYNC_TYPE = 'worker:data:sync';
export const SYNC_ACK_TYPE = 'worker:data:sync:ack';
/** The answer to an envelope Parley cannot read at all (no type to answer with). */
export const ERROR_TYPE = 'worker:error';

export interface WorkerEnvelope {
  readonly type: string;
  readonly version: string | undefined;
  readonly payload: unknown;
  /** Echoed in the answer; null when the worker sent none (or not a string or number). */
  readonly requestId: string | number | null;
}

export type EnvelopeParse =
  | { readonly ok: true; readonly envelope: WorkerEnvelope }
  | { readonly ok: false; readonly message: string; readonly requestId: string | number | null };

const requestIdOf = (value: Record<string, unknown>): string | number | null =>
  typeof value.requestId === 'string' || typeof value.requestId === 'number'
    ? value.requestId
    : null;

export function parseEnvelope(value: unknown): EnvelopeParse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'The message must be an envelope object.', requestId: null };
  }
  const record = value as Record<string, unknown>;
  const requestId = requestIdOf(record);
  if (typeof record.type !== 'string' || record.type === '') {
    return { ok: false, message: 'The envelope needs a type (a string).', requestId };
  }
  if (record.version !== undefined && record.version !== ENVELOPE_VERSION) {
    return { ok: false, message: `The envelope version must be "${ENVELOPE_VERSION}".`, requestId };
  }
  return {
    ok: true,
    envelope: {
      type: record.type,
      version: record.version as string | undefined,
      payload: record.payload,
      requestId,
    },
  };
}

export interface WorkerErrorBody {
  readonly code: string;
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

/** An answer envelope of `type`, stamped with the server's time. */
export function answer(
  type: string,
  payload: unknown,
  requestId: string | number | null,
  now: number,
): Record<string, unknown> {
  return { type, version: ENVELOPE_VERSION, payload, timestamp: now, requestId };
}

/** The payload of a refused sync: the ack's `success: false`, and Parley's error object. */
export function refusal(
  payload: unknown,
  error: WorkerErrorBody,
  now: number,
): Record<string, unknown> {
  const accountId =
    typeof payload === 'object' && payload !== null
      ? (payload as Record<string, unknown>).accountId
      : undefined;
  return {
    success: false,
    ...((typeof accountId === 'string' || typeof accountId === 'number') && { accountId }),
    timestamp: now,
    error,
  };
}
