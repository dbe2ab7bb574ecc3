import type { FastifyRequest } from 'fastify';
import type { AuthContext } from '../../app/accounts/auth-context.js';
import { unauthenticated } from '../../domain/errors.js';
import { parseBearer } from '../shared/bearer.js';

/** Verifies an access token; the transports know nothing else of tokens. */
export type Authenticator = (accessToken: string) => Promise<AuthContext>;

/** The bearer token of a request, or UNAUTHENTICATED. */
export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization;
  if (header === undefined) {
    throw unauthenticated(
      'Send the access token as "Authorization: Bearer <token>".',
      'TOKEN_MISSING',
    );
  }
  const token = parseBearer(header);
  if (token === undefined)
    throw unauthenticated('The Authorization header must be "Bearer <token>".');
  return token;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on routes that need a signed-in caller. */
    auth: AuthContext | null;
  }
}

/** A preHandler that sets `request.auth` or fails the request with 401. */
export function requireAuth(authenticate: Authenticator) {
  return async (request: FastifyRequest): Promise<void> => {
    request.auth = await authenticate(bearerToken(request));
  };
}

/** The caller of a route guarded by requireAuth. */
export function callerOf(request: FastifyRequest): AuthContext {
  if (request.auth === null) throw unauthenticated();
  return request.auth;
}
