import {
  Metadata,
  status,
  type sendUnaryData,
  type ServerUnaryCall,
  type ServerWritableStream,
} from '@grpc/grpc-js';
import type { RequestHeader, ResponseHeader } from '@parley/proto';
import type { Logger } from 'pino';
import type { AuthContext, ClientInfo } from '../../app/accounts/auth-context.js';
import { appError, isAppError, unauthenticated } from '../../domain/errors.js';
import type { Clock } from '../../ports/system.js';
import { parseBearer } from '../shared/bearer.js';
import { isTraceId, newTraceId, traceIdOfTraceparent } from '../shared/trace.js';
import { grpcError, toGrpcError, TRACE_ID_KEY, type GrpcError } from './grpc-errors.js';
import type { UserRateLimits } from './user-rate-limits.js';

/** What every call of the public services is checked with. */
export interface CallGuard {
  readonly authenticate: (token: string) => Promise<AuthContext>;
  readonly limits: UserRateLimits;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A call once its trace id is known (and, for authenticated methods, its caller). */
export interface CallContext {
  readonly traceId: string;
  readonly client: ClientInfo;
  readonly metadata: Metadata;
}

export interface AuthedContext extends CallContext {
  readonly auth: AuthContext;
}

type WithHeader = { header?: RequestHeader | undefined };
/** A response as a method builds it: the envelope's header is filled in here. */
type Body<Res> = Omit<Res, 'header'>;
type AnyCall = ServerUnaryCall<unknown, unknown> | ServerWritableStream<unknown, unknown>;

/** An unauthenticated method (Login, Register, GuestLogin, VerifyToken, RefreshToken). */
export function publicUnary<Req extends WithHeader, Res>(
  guard: CallGuard,
  method: string,
  run: (request: Req, context: CallContext) => Promise<Body<Res>>,
) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    const context = contextOf(call);
    void answer(guard, method, context, callback, () => {
      refuseExpired(call);
      return run(call.request, context);
    });
  };
}

/**
 * A method that needs `authorization: Bearer <access token>`: the caller is the token's user,
 * and a RequestHeader.user_id that names anyone else is refused, never trusted.
 */
export function authedUnary<Req extends WithHeader, Res>(
  guard: CallGuard,
  method: string,
  run: (request: Req, context: AuthedContext) => Promise<Body<Res>>,
) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    const context = contextOf(call);
    void answer(guard, method, context, callback, async () => {
      const auth = await authenticateCall(guard, call, call.request.header);
      refuseExpired(call);
      return run(call.request, { ...context, auth });
    });
  };
}

/** The caller of a call, checked against its header and this node's per-user rate. */
export async function authenticateCall(
  guard: CallGuard,
  call: AnyCall,
  header: RequestHeader | undefined,
): Promise<AuthContext> {
  const [value] = call.metadata.get('authorization');
  if (typeof value !== 'string' || value === '') {
    throw unauthenticated(
      'Send the access token as "authorization: Bearer <token>" metadata.',
      'TOKEN_MISSING',
    );
  }
  const token = parseBearer(value);
  if (token === undefined) {
    throw unauthenticated('The authorization metadata must be "Bearer <token>".');
  }
  const auth = await guard.authenticate(token);
  const claimed = header?.userId ?? '';
  if (claimed !== '' && claimed !== auth.userId) {
    throw appError(
      'USER_ID_MISMATCH',
      'RequestHeader.user_id is not the user of the access token; leave it empty or send your own.',
      { field: 'header.user_id' },
    );
  }
  const taken = guard.limits.take(auth.userId, guard.clock.now());
  if (!taken.ok) {
    throw appError('RATE_LIMITED', 'Too many gRPC calls; slow down.', {
      retryAfterMs: taken.retryAfterMs,
    });
  }
  return auth;
}

/** Runs a unary method and answers: the response with its ResponseHeader, or the error. */
async function answer<Res>(
  guard: CallGuard,
  method: string,
  context: CallContext,
  callback: sendUnaryData<Res>,
  run: () => Promise<Body<Res>>,
): Promise<void> {
  const trailer = new Metadata();
  trailer.set(TRACE_ID_KEY, context.traceId);
  try {
    const body = await run();
    const header: ResponseHeader = { traceId: context.traceId, code: 0, message: '' };
    callback(null, { ...body, header } as Res, trailer);
  } catch (err) {
    callback(failure(guard.logger, method, context.traceId, err));
  }
}

/** The error a failed call answers with; what is not an AppError is logged as the bug it is. */
export function failure(logger: Logger, method: string, traceId: string, err: unknown): GrpcError {
  if (err instanceof DeadlineError) {
    return grpcError(
      { code: status.DEADLINE_EXCEEDED, reason: 'DEADLINE_EXCEEDED', message: err.message },
      traceId,
    );
  }
  if (!isAppError(err)) logger.error({ err, method, trace_id: traceId }, 'gRPC call failed');
  return toGrpcError(err, traceId);
}

class DeadlineError extends Error {}

/** A call whose deadline passed while it waited is not started: its caller has given up. */
export function refuseExpired(call: AnyCall): void {
  const deadline = call.getDeadline();
  const at = deadline instanceof Date ? deadline.getTime() : deadline;
  if (Number.isFinite(at) && at <= Date.now()) {
    throw new DeadlineError('The deadline passed before the call started.');
  }
}

/** The trace id of a call: RequestHeader.trace_id, else `traceparent` metadata, else a new one. */
export function contextOf(call: ServerUnaryCall<WithHeader, unknown> | AnyCall): CallContext {
  const fromHeader = (call.request as WithHeader | undefined)?.header?.traceId ?? '';
  const [traceparent] = call.metadata.get('traceparent');
  const traceId = isTraceId(fromHeader)
    ? fromHeader
    : (traceIdOfTraceparent(typeof traceparent === 'string' ? traceparent : undefined) ??
      newTraceId());
  const [agent] = call.metadata.get('user-agent');
  return {
    traceId,
    metadata: call.metadata,
    client: { ip: hostOf(call.getPeer()), userAgent: typeof agent === 'string' ? agent : '' },
  };
}

/** The address of a peer as grpc-js gives it ("1.2.3.4:5", "[::1]:5", "ipv4:1.2.3.4:5"). */
function hostOf(peer: string): string {
  const bare = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(bare);
  if (bracketed) return bracketed[1] as string;
  const colon = bare.lastIndexOf(':');
  return colon > 0 && bare.indexOf(':') === colon ? bare.slice(0, colon) : bare;
}
