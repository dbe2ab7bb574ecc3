import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { AppError } from '../../domain/errors.js';
import { isAppError, type ErrorCode, type ErrorReason } from '../../domain/errors.js';
import { codeForStatus, HTTP_STATUS } from '../../protocol/http-status.js';
import { MAX_BRIDGE_KEY } from '../../protocol/bridge-sync.js';

/** The longest path parameter any route takes: a bridge platform or account id. */
export const MAX_PATH_PARAM = MAX_BRIDGE_KEY;

export interface WireError {
  readonly status: number;
  readonly code: ErrorCode;
  /** The catalogue's reason; the code when none is more specific. */
  readonly reason?: ErrorReason | undefined;
  readonly message: string;
  readonly field?: string | undefined;
  readonly retryAfterMs?: number | undefined;
}

/** Every error leaves in the protocol's shape: {"error": {code, message, trace_id}}. */
export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const wire = toWireError(err, bodyLimit);
    if (wire.status >= 500) {
      request.log.error({ err }, 'request failed');
    }
    return sendError(request, reply, wire);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, {
      status: 404,
      code: 'NOT_FOUND',
      message: `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`,
    }),
  );
}

/**
 * Fastify's own errors before a route runs (a badly percent-encoded URL, an over-long path
 * parameter): the same shape as every other error.
 */
export function frameworkErrorHandler(bodyLimit: number) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    void sendError(request, reply, toWireError(err, bodyLimit));
  };
}

/** What Node's HTTP parser gave up on, before any framework saw a request. */
export function clientErrorAnswer(err: NodeJS.ErrnoException): {
  status: number;
  code: ErrorCode;
  message: string;
} {
  switch (err.code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        code: 'INVALID_ARGUMENT',
        message: 'The request headers are larger than Parley accepts.',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        code: 'UNAVAILABLE',
        message: 'The request did not arrive in time; the connection is closed.',
      };
    default:
      return { status: 400, code: 'INVALID_ARGUMENT', message: 'The request is not valid HTTP.' };
  }
}

/** The protocol's error object (`{code, reason, message, trace_id, field?}`) for a request. */
export function errorObject(request: FastifyRequest, wire: WireError) {
  return {
    code: wire.code,
    reason: wire.reason ?? wire.code,
    message: wire.message,
    trace_id: request.id,
    ...(wire.field !== undefined && { field: wire.field }),
  };
}

/** Answers with an error in the protocol's shape, for a refusal that is not thrown. */
export function sendError(request: FastifyRequest, reply: FastifyReply, wire: WireError) {
  if (wire.retryAfterMs !== undefined) {
    reply.header('retry-after', String(Math.max(1, Math.ceil(wire.retryAfterMs / 1000))));
  }
  return reply.status(wire.status).send({ error: errorObject(request, wire) });
}

export function toWireError(err: FastifyError, bodyLimit: number): WireError {
  if (isAppError(err)) return fromAppError(err);
  if (hasZodFastifySchemaValidationErrors(err)) {
    const first = err.validation[0];
    const field = first?.instancePath.replace(/^\//, '').replaceAll('/', '.') || undefined;
    const where = err.validationContext ?? 'request';
    const messages = err.validation.map((v) => {
      const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
      return path === '' ? `${where}: ${v.message}` : `${path}: ${v.message}`;
    });
    return { status: 400, code: 'INVALID_ARGUMENT', message: messages.join('; '), field };
  }
  switch (err.code) {
    case 'FST_ERR_BAD_URL':
      return {
        status: 400,
        code: 'INVALID_ARGUMENT',
        message: 'The URL is not valid: a path segment is badly percent-encoded.',
      };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        status: 414,
        code: 'INVALID_ARGUMENT',
        message: `A path parameter is longer than ${MAX_PATH_PARAM} characters.`,
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        code: 'RESOURCE_EXHAUSTED',
        reason: 'MESSAGE_TOO_LARGE',
        message: `The request body is larger than the ${bodyLimit}-byte limit.`,
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        code: 'INVALID_ARGUMENT',
        message: 'Send request bodies as application/json.',
      };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'INVALID_ARGUMENT', message: 'The body is not valid JSON.' };
  }
  const status = err.statusCode ?? 500;
  if (err instanceof SyntaxError && status === 400) {
    return { status, code: 'INVALID_ARGUMENT', message: 'The body is not valid JSON.' };
  }
  if (status >= 500) {
    return { status: 500, code: 'INTERNAL', message: 'Internal error; see the server log.' };
  }
  return { status, code: codeForStatus(status), message: err.message };
}

function fromAppError(err: AppError): WireError {
  return {
    status: HTTP_STATUS[err.code],
    code: err.code,
    reason: err.reason,
    message: err.message,
    field: err.details.field,
    retryAfterMs: err.details.retryAfterMs,
  };
}
