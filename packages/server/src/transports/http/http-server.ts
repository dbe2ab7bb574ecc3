import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import type { AuthService } from '../../app/accounts/auth-service.js';
import type { UserService } from '../../app/accounts/user-service.js';
import type { HealthService } from '../../app/ops/health-service.js';
import type { Metrics } from '../../observability/metrics.js';
import type { WsServices } from '../ws/ws-ops.js';
import type { WorldService } from '../../app/groups/world-service.js';
import { conversationRoutes } from './routes/conversation-routes.js';
import { groupInvitationRoutes } from './routes/group-invitation-routes.js';
import { groupModerationRoutes } from './routes/group-moderation-routes.js';
import { groupRoutes, type GroupServices } from './routes/group-routes.js';
import { worldRoutes } from './routes/world-routes.js';
import { webAppRoutes } from './routes/web-app-routes.js';
import { installCors } from './cors.js';
import type { ConnectionGuard } from './connection-guard.js';
import {
  clientErrorAnswer,
  frameworkErrorHandler,
  installErrorHandling,
  sendError,
} from './error-handler.js';
import { endWithHttpError, endWithJson, rawRequestPath } from '../shared/raw-http-error.js';
import { registerOpenApi } from './openapi.js';
import { adminRoutes, type AdminRouteOptions } from './routes/admin-routes.js';
import { bridgeAdminRoutes } from './routes/bridge-admin-routes.js';
import { bridgeSyncRoutes } from './routes/bridge-sync-routes.js';
import type { BridgeIngest } from '../shared/bridge-ingest.js';
import type { BridgeReadService } from '../../app/bridges/bridge-read.js';
import type { BridgeGrantService } from '../../app/bridges/bridge-grants.js';
import type { BridgeAccountService } from '../../app/bridges/bridge-accounts.js';
import { bridgeGrantRoutes } from './routes/bridge-grant-routes.js';
import { IM_PREFIX, imReadRoutes } from './routes/im-read-routes.js';
import type { WorkerTokenService } from '../../app/bridges/worker-tokens.js';
import { authRoutes } from './routes/auth-routes.js';
import { opsRoutes } from './routes/ops-routes.js';
import { socialRoutes, type SocialServices } from './routes/social-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { deviceRoutes } from './routes/device-routes.js';
import { otaRoutes } from './routes/ota-routes.js';
import type { DeviceService } from '../../app/devices/device-service.js';
import { invalidArgument } from '../../domain/errors.js';
import { MAX_DOCUMENT_DEPTH, nestsDeeperThan, tooDeepMessage } from '../../protocol/json-depth.js';
import { redactUrl } from '../../observability/redact.js';
import { MAX_PATH_PARAM } from './error-handler.js';
import { newTraceId, traceIdOf, traceparentFor } from '../shared/trace.js';

export interface HttpServerDeps {
  readonly auth: AuthService;
  readonly users: UserService;
  readonly health: HealthService;
  readonly messaging: WsServices;
  readonly groups: GroupServices;
  readonly worlds: WorldService;
  readonly social: SocialServices;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The operator endpoints (/v1/admin/*); absent: not served (404 as any unknown route). */
  readonly admin?: AdminRouteOptions;
  /** Devices (seed 002): the OTA endpoint with the gateway role, the owner's views with api. */
  readonly devices?: { readonly service: DeviceService; readonly publicUrl?: string };
  /** Bridges (seed 001): worker tokens, managed under /v1/admin/worker-tokens. */
  readonly bridges?: {
    readonly workerTokens: WorkerTokenService;
    readonly accounts: BridgeAccountService;
    readonly ingest: BridgeIngest;
    readonly read: BridgeReadService;
    readonly grants: BridgeGrantService;
    readonly bodyLimit: number;
  };
}

export interface HttpServerOptions {
  readonly bodyLimit: number;
  readonly trustProxy: boolean;
  readonly version: string;
  /** Time a client has to send a request's headers, its first request included. */
  readonly headersTimeoutMs: number;
  /** Time a client has to send a whole request, body included. */
  readonly requestTimeoutMs: number;
  /** Time an idle keep-alive connection is kept after an answer. */
  readonly keepAliveTimeoutMs: number;
  /** Bounds on open connections; its health-only connections get health checks only. */
  readonly connections: ConnectionGuard;
  /** Which routes this node serves besides /health, /ready and /metrics (default: all). */
  readonly routes?: { readonly api: boolean; readonly gateway: boolean };
  /** Origins whose pages may call the API from a browser (CORS); none by default. */
  readonly corsOrigins?: readonly string[];
  /** The built web app to serve at / with the api routes; none when absent. */
  readonly webAppDir?: string;
}

const HEALTH_PATHS = new Set(['/health', '/ready']);

/** The REST edge: parse, authenticate, validate, call a use case, encode. */
export async function buildHttpServer(
  deps: HttpServerDeps,
  options: HttpServerOptions,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // One line per request is written by observeRequests, with secrets stripped from the URL.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'trace_id',
    }),
    genReqId: traceIdOf,
    bodyLimit: options.bodyLimit,
    // A bridge account id may be 191 characters (decoded, as the router counts); longer is 414.
    routerOptions: { maxParamLength: MAX_PATH_PARAM },
    trustProxy: options.trustProxy,
    return503OnClosing: true,
    frameworkErrors: frameworkErrorHandler(options.bodyLimit),
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      const { status, code, message } = clientErrorAnswer(err);
      // The IM-compatible read API answers every error in the original's envelope (BRIDGE.md).
      if (rawRequestPath(err)?.startsWith(`${IM_PREFIX}/`)) {
        endWithJson(socket, status, { data: null, status_code: status, status_msg: message });
      } else endWithHttpError(socket, status, code, message, newTraceId());
    },
    // A socket that sends nothing, or dribbles its headers, is closed (408) after the headers
    // timeout; the check runs every second. A WebSocket leaves these timeouts at its upgrade.
    requestTimeout: Math.max(options.requestTimeoutMs, options.headersTimeoutMs),
    keepAliveTimeout: options.keepAliveTimeoutMs,
    http: {
      headersTimeout: options.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, options.headersTimeoutMs),
    },
  });
  options.connections.attach(app.server);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('auth', null);
  acceptEmptyJsonBodies(app);
  installErrorHandling(app, options.bodyLimit);
  installCors(app, options.corsOrigins ?? []);
  observeRequests(app, deps.metrics);
  closeConnectionsWhileDraining(app, deps.health);
  serveHealthOnlyConnections(app, options.connections);

  await registerOpenApi(app, options.version);
  await app.register(opsRoutes, { health: deps.health, registry: deps.metrics.registry });
  if (options.routes?.gateway !== false) {
    app.get('/v1/ws', { schema: { hide: true } }, async (request, reply) =>
      sendError(request, reply.header('upgrade', 'websocket'), {
        status: 426,
        code: 'FAILED_PRECONDITION',
        message: 'This is the WebSocket endpoint: connect with a WebSocket client.',
      }),
    );
    if (deps.devices !== undefined) {
      await app.register(otaRoutes, {
        devices: deps.devices.service,
        publicUrl: deps.devices.publicUrl,
        now: () => Date.now(),
      });
    }
  }
  // Operator endpoints on every role: any node can list the cluster.
  if (deps.admin !== undefined) await app.register(adminRoutes, deps.admin);
  if (deps.admin !== undefined && deps.bridges !== undefined) {
    await app.register(bridgeAdminRoutes, {
      adminToken: deps.admin.adminToken,
      workerTokens: deps.bridges.workerTokens,
      accounts: deps.bridges.accounts,
    });
  }
  if (options.routes?.api === false) return app;
  await app.register(authRoutes, { auth: deps.auth });
  await app.register(userRoutes, { auth: deps.auth, users: deps.users });
  await app.register(conversationRoutes, { auth: deps.auth, services: deps.messaging });
  await app.register(groupRoutes, { auth: deps.auth, services: deps.groups });
  await app.register(groupModerationRoutes, { auth: deps.auth, services: deps.groups });
  await app.register(groupInvitationRoutes, { auth: deps.auth, services: deps.groups });
  await app.register(worldRoutes, {
    auth: deps.auth,
    worlds: deps.worlds,
    moderation: deps.groups.moderation,
  });
  await app.register(socialRoutes, { auth: deps.auth, social: deps.social });
  if (deps.bridges !== undefined) {
    await app.register(bridgeSyncRoutes, deps.bridges);
    await app.register(bridgeGrantRoutes, {
      adminToken: deps.admin?.adminToken,
      workerTokens: deps.bridges.workerTokens,
      grants: deps.bridges.grants,
    });
    await app.register(imReadRoutes, {
      prefix: IM_PREFIX,
      authenticate: (token) => deps.auth.authenticate(token),
      read: deps.bridges.read,
    });
  }
  if (deps.devices !== undefined) {
    await app.register(deviceRoutes, { auth: deps.auth, devices: deps.devices.service });
  }
  if (options.webAppDir !== undefined) {
    await app.register(webAppRoutes, { root: options.webAppDir });
  }
  return app;
}

/** `Content-Type: application/json` with no body reads as no body, not as a JSON error. */
function acceptEmptyJsonBodies(app: FastifyInstance): void {
  // Only JSON bodies are accepted: anything else is 415.
  app.removeContentTypeParser('text/plain');
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    if (nestsDeeperThan(text, MAX_DOCUMENT_DEPTH)) {
      done(invalidArgument(tooDeepMessage('The body', MAX_DOCUMENT_DEPTH)), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

/** During a shutdown, each answer closes its keep-alive connection, so the drain ends promptly. */
function closeConnectionsWhileDraining(app: FastifyInstance, health: HealthService): void {
  app.addHook('onSend', async (_request, reply) => {
    if (health.isDraining()) reply.header('connection', 'close');
  });
}

/** A connection accepted past the connection limit gets health checks, then is closed. */
function serveHealthOnlyConnections(app: FastifyInstance, connections: ConnectionGuard): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!connections.isHealthOnly(request.raw.socket)) return;
    reply.header('connection', 'close');
    if (HEALTH_PATHS.has(request.url.split('?')[0] ?? '')) return;
    // Answered here, not thrown: a server at its limit should not also log every refusal.
    return sendError(request, reply, {
      status: 503,
      code: 'UNAVAILABLE',
      message: 'The server is at its connection limit; try again later.',
    });
  });
}

function observeRequests(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('traceparent', traceparentFor(request.id));
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, seconds);
    request.log.info(
      {
        method: request.method,
        url: redactUrl(request.url),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        ip: request.ip,
      },
      'request',
    );
  });
}
