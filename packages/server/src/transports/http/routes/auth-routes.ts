import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AuthService } from '../../../app/accounts/auth-service.js';
import {
  AuthResponse,
  ErrorBody,
  GuestBody,
  IdParams,
  LoginBody,
  RefreshBody,
  RegisterBody,
  Session,
  TokenInfo,
  Tokens,
  VerifyBody,
} from '../../../protocol/rest-schemas.js';
import { callerOf, requireAuth } from '../authenticate.js';
import { clientInfo } from '../client-info.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 429: ErrorBody };
const bearer = [{ bearer: [] }];

/** Accounts and sessions: /v1/auth/*. */
export const authRoutes: FastifyPluginAsyncZod<{ auth: AuthService }> = async (app, { auth }) => {
  const authenticated = requireAuth((token) => auth.authenticate(token));

  app.post(
    '/v1/auth/register',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create an account and sign in on this device.',
        body: RegisterBody,
        response: { 201: AuthResponse, 409: ErrorBody, ...errors },
      },
    },
    async (request, reply) => {
      const { username, password, nickname, device_id } = request.body;
      const result = await auth.register(
        { username, password, nickname, deviceId: device_id },
        clientInfo(request),
      );
      return reply.status(201).send(result);
    },
  );

  app.post(
    '/v1/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with username and password; ends an older session of the same device.',
        body: LoginBody,
        response: { 200: AuthResponse, ...errors },
      },
    },
    async (request) => {
      const { username, password, device_id } = request.body;
      return auth.login({ username, password, deviceId: device_id }, clientInfo(request));
    },
  );

  app.post(
    '/v1/auth/guest',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a guest account and sign in.',
        body: GuestBody,
        response: { 201: AuthResponse, ...errors },
      },
    },
    async (request, reply) => {
      const { nickname, device_id } = request.body ?? {};
      const result = await auth.guest({ nickname, deviceId: device_id }, clientInfo(request));
      return reply.status(201).send(result);
    },
  );

  app.post(
    '/v1/auth/refresh',
    {
      schema: {
        tags: ['auth'],
        summary: 'Trade a refresh token for new tokens. Each refresh token works once.',
        body: RefreshBody,
        response: { 200: Tokens, ...errors },
      },
    },
    async (request) => auth.refresh(request.body.refresh_token),
  );

  app.post(
    '/v1/auth/verify',
    {
      schema: {
        tags: ['auth'],
        summary: 'Check an access token (for other services).',
        body: VerifyBody,
        response: { 200: TokenInfo, ...errors },
      },
    },
    async (request) => ({
      valid: true as const,
      ...(await auth.verify(request.body.access_token)),
    }),
  );

  app.post(
    '/v1/auth/logout',
    {
      preHandler: authenticated,
      schema: {
        tags: ['auth'],
        summary: "End the caller's session; its refresh token stops working.",
        security: bearer,
        response: { 204: z.null().describe('Logged out.'), ...errors },
      },
    },
    async (request, reply) => {
      await auth.logout(callerOf(request));
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/auth/sessions',
    {
      preHandler: authenticated,
      schema: {
        tags: ['auth'],
        summary: "The caller's active sessions, one per device, the newest 200.",
        security: bearer,
        response: { 200: z.object({ sessions: z.array(Session) }), ...errors },
      },
    },
    async (request) => ({ sessions: await auth.listSessions(callerOf(request)) }),
  );

  app.delete(
    '/v1/auth/sessions/:id',
    {
      preHandler: authenticated,
      schema: {
        tags: ['auth'],
        summary: 'Log out one of your devices.',
        security: bearer,
        params: IdParams,
        response: { 204: z.null().describe('Logged out.'), 404: ErrorBody, ...errors },
      },
    },
    async (request, reply) => {
      await auth.revokeSession(callerOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );
};
