import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { ErrorInfo, ResponseHeader, Status } from '@parley/proto';
import { isAppError, type ErrorReason } from '../../domain/errors.js';
import { GRPC_STATUS } from './grpc-status.js';

/** ErrorInfo.domain of every Parley error. */
export const ERROR_DOMAIN = 'parley';
/** Trailing metadata that carries the call's trace id, on success and on error. */
export const TRACE_ID_KEY = 'x-trace-id';
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';
/**
 * Trailing metadata with the failed call's ResponseHeader (trace_id, code = the status code,
 * message): a failed gRPC call has no response message to carry it.
 */
export const RESPONSE_HEADER_KEY = 'parley-response-header-bin';
const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';

/** What a gRPC handler answers a failed call with: grpc-js sends it as the call's status. */
export interface GrpcError {
  readonly code: status;
  readonly details: string;
  readonly metadata: Metadata;
}

export interface ErrorParts {
  readonly code: status;
  /** The catalogue's reason; DEADLINE_EXCEEDED is gRPC's own (no use case raises it). */
  readonly reason: ErrorReason | 'DEADLINE_EXCEEDED';
  readonly message: string;
  readonly field?: string | undefined;
  readonly retryAfterMs?: number | undefined;
}

/**
 * The gRPC codec of errors: the status code, the message, and a google.rpc.Status with one
 * ErrorInfo (reason from the catalogue, domain `parley`, metadata trace_id and, when known,
 * field and retry_after_ms) in `grpc-status-details-bin`; the trace id in `x-trace-id` too.
 */
export function grpcError(parts: ErrorParts, traceId: string): GrpcError {
  const metadata = new Metadata();
  const info: Record<string, string> = { trace_id: traceId };
  if (parts.field !== undefined) info.field = parts.field;
  if (parts.retryAfterMs !== undefined) info.retry_after_ms = String(parts.retryAfterMs);
  const details = Status.encode({
    code: parts.code,
    message: parts.message,
    details: [
      {
        typeUrl: ERROR_INFO_TYPE,
        value: Buffer.from(
          ErrorInfo.encode({ reason: parts.reason, domain: ERROR_DOMAIN, metadata: info }).finish(),
        ),
      },
    ],
  }).finish();
  metadata.set(STATUS_DETAILS_KEY, Buffer.from(details));
  metadata.set(
    RESPONSE_HEADER_KEY,
    Buffer.from(
      ResponseHeader.encode({ traceId, code: parts.code, message: parts.message }).finish(),
    ),
  );
  metadata.set(TRACE_ID_KEY, traceId);
  return { code: parts.code, details: parts.message, metadata };
}

/** An AppError as its gRPC error; anything else is a bug: INTERNAL, with the cause logged by the caller. */
export function toGrpcError(err: unknown, traceId: string): GrpcError {
  if (isAppError(err)) {
    return grpcError(
      {
        code: GRPC_STATUS[err.code],
        reason: err.reason,
        message: err.message,
        field: err.details.field,
        retryAfterMs: err.details.retryAfterMs,
      },
      traceId,
    );
  }
  return grpcError(
    {
      code: status.INTERNAL,
      reason: 'INTERNAL',
      message: `Internal error; see the server log under trace id ${traceId}.`,
    },
    traceId,
  );
}

/** The ResponseHeader of a failed call, from its trailing metadata (tests and SDKs). */
export function responseHeaderOf(err: Pick<ServiceError, 'metadata'>): ResponseHeader | undefined {
  const [bin] = err.metadata?.get(RESPONSE_HEADER_KEY) ?? [];
  return bin instanceof Buffer ? ResponseHeader.decode(bin) : undefined;
}

/** The ErrorInfo of a failed call, as a client decodes it (tests and SDKs). */
export function errorInfoOf(err: Pick<ServiceError, 'metadata'>): ErrorInfo | undefined {
  const [bin] = err.metadata?.get(STATUS_DETAILS_KEY) ?? [];
  if (!(bin instanceof Buffer)) return undefined;
  const detail = Status.decode(bin).details.find((d) => d.typeUrl === ERROR_INFO_TYPE);
  return detail === undefined ? undefined : ErrorInfo.decode(detail.value);
}
