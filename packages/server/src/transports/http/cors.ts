import type { FastifyInstance } from 'fastify';

/** Headers a browser page on an allowed origin may send and read. */
const ALLOW_HEADERS = 'authorization, content-type, traceparent';
const EXPOSE_HEADERS = 'traceparent, retry-after';
const ALLOW_METHODS = 'GET, POST, PATCH, PUT, DELETE';
/** How long a browser may cache a preflight answer, in seconds. */
const PREFLIGHT_MAX_AGE = 600;

/**
 * CORS for clients served from other origins (`cors_origins`). Only the listed origins get
 * the headers; others get none, so their browsers refuse to read the answers. Credentials are
 * bearer tokens, never cookies, so no Allow-Credentials. A preflight from a listed origin is
 * answered here with 204, before routing (no route has an OPTIONS handler).
 */
export function installCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined) return;
    reply.header('vary', 'Origin');
    if (!allowed.has(origin)) return;
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-expose-headers', EXPOSE_HEADERS);
    if (
      request.method !== 'OPTIONS' ||
      request.headers['access-control-request-method'] === undefined
    ) {
      return;
    }
    return reply
      .header('access-control-allow-methods', ALLOW_METHODS)
      .header('access-control-allow-headers', ALLOW_HEADERS)
      .header('access-control-max-age', String(PREFLIGHT_MAX_AGE))
      .status(204)
      .send();
  });
}
