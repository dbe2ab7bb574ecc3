/**
 * The composition root: the one place that knows every adapter. It reads the configuration,
 * opens the store, builds the use cases and the transports, and owns start and stop.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { MemoryBus } from './adapters/bus/bus-memory.js';
import { MemoryPresence } from './adapters/presence/presence-memory.js';
import { MemoryRateLimiter } from './adapters/rate-limit/rate-limiter-memory.js';
import { Argon2Hasher } from './adapters/security/argon2-hasher.js';
import { HmacCallbackTokens } from './adapters/security/hmac-callback-tokens.js';
import { JoseAccessTokens } from './adapters/security/jose-access-tokens.js';
import { RandomSecretTokens } from './adapters/security/secret-tokens.js';
import { loadSigningKey } from './adapters/security/signing-key.js';
import { openMysqlStore } from './adapters/store/mysql.js';
import { openPostgresStore } from './adapters/store/postgres.js';
import { openSqliteStore } from './adapters/store/sqlite.js';
import { SystemClock } from './adapters/system/system-clock.js';
import { UlidIds } from './adapters/system/ulid-ids.js';
import { AuthService } from './app/accounts/auth-service.js';
import { UserService } from './app/accounts/user-service.js';
import { HealthService } from './app/ops/health-service.js';
import type { Config } from './config/schema.js';
import { createLogger } from './observability/logger.js';
import { composeExtensions } from './main-extensions.js';
import { composeMessaging } from './main-messaging.js';
import { composeSocial } from './main-social.js';
import { createMetrics } from './observability/metrics.js';
import type { Store } from './ports/store.js';
import { ExtCallbackServer, joinHostPort } from './transports/grpc/ext-callback-server.js';
import { ConnectionGuard } from './transports/http/connection-guard.js';
import { buildHttpServer } from './transports/http/http-server.js';
import { VERSION } from './version.js';

export const SIGNING_KEY_FILE = join('keys', 'access-token-ed25519.pem');
const TOKEN_SWEEP_INTERVAL_MS = 60 * 60 * 1000;
const EXT_RETRY_INTERVAL_MS = 1_000;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);
/** Connections past max_connections still accepted, for health checks only. */
const HEALTH_CHECK_HEADROOM = 64;

export interface ParleyServer {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: Store;
  readonly http: FastifyInstance;
  /** Live WebSocket connections of this process. */
  connectionCount(): number;
  /** http://host:port once listening. */
  url(): string;
  /** The port of the gRPC callback service once listening. */
  grpcPort(): number;
  /** host:port the gRPC callback service listens on, once listening. */
  grpcAddress(): string;
  start(): Promise<void>;
  /** Stops taking work, finishes in-flight requests (up to the shutdown timeout), closes the store. */
  stop(): Promise<void>;
}

export interface ParleyOptions {
  /** Where log lines go (default stdout). */
  readonly logStream?: DestinationStream;
}

/** The engine by the URL's scheme: none is SQLite, mysql:// or mariadb:// MySQL, else PostgreSQL. */
export function openStore(config: Config, logger?: Logger): Store {
  const url = config.database_url;
  if (url === undefined) return openSqliteStore(config.data_dir);
  const pool = { url, poolSize: config.database_pool_size };
  return /^(mysql|mariadb):\/\//.test(url)
    ? openMysqlStore({
        ...pool,
        onIdleError: (err) => logger?.warn({ err }, 'an idle MySQL connection failed'),
      })
    : openPostgresStore({
        ...pool,
        onIdleError: (err) => logger?.warn({ err }, 'an idle PostgreSQL connection failed'),
      });
}

export async function createParley(
  config: Config,
  options: ParleyOptions = {},
): Promise<ParleyServer> {
  const logger = createLogger(config.log_level, options.logStream);
  const store = openStore(config, logger);
  try {
    const { applied } = await store.migrate();
    if (applied.length > 0) logger.info({ applied }, 'database migrated');
  } catch (err) {
    await store.close();
    throw err;
  }

  const clock = new SystemClock();
  const ids = new UlidIds();
  const secrets = new RandomSecretTokens();
  const signingKey = await loadSigningKey({
    privateKeyPem: config.jwt_private_key,
    keyFile: join(config.data_dir, SIGNING_KEY_FILE),
  });
  const accessTokens = await JoseAccessTokens.fromKey(signingKey);
  // From the signing key: the same after a restart and on every node (docs/extensions.md).
  const callbackTokens = HmacCallbackTokens.fromSigningKey(signingKey);
  const windowMs = config.rate_limit_window * 1000;
  // One limiter for every per-user and per-address rule (their keys are namespaced).
  const limiter = new MemoryRateLimiter(clock);
  const bus = new MemoryBus({
    onHandlerError: (err, topic) => logger.error({ err, topic }, 'bus handler failed'),
  });
  const auth = new AuthService(
    {
      store,
      hasher: new Argon2Hasher({
        memoryCost: config.argon2_memory_kib,
        timeCost: config.argon2_iterations,
        parallelism: 1,
      }),
      accessTokens,
      secrets,
      limiter,
      clock,
      ids,
      bus,
    },
    {
      accessTokenTtlSeconds: config.access_token_ttl,
      refreshTokenTtlSeconds: config.refresh_token_ttl,
      loginFailures: { limit: config.login_failure_limit, windowMs },
      loginFailuresPerAddress: { limit: config.login_failure_limit_per_address, windowMs },
      signups: { limit: config.signup_limit, windowMs },
    },
  );
  const users = new UserService({ store, clock });
  const metrics = createMetrics();
  const extensions = composeExtensions(config, logger, metrics.registry, callbackTokens);
  let callbackPort = 0;
  const callbackHost = WILDCARD_HOSTS.has(config.grpc_host) ? '127.0.0.1' : config.grpc_host;
  const social = composeSocial({
    store,
    bus,
    clock,
    ids,
    dmPolicy: config.dm_policy,
    guestPolicy: config.guest_policy,
    groupAddPolicy: config.group_add_policy,
  });
  const messaging = composeMessaging({
    config,
    store,
    bus,
    presence: new MemoryPresence(),
    clock,
    ids,
    logger,
    authenticate: (token) => auth.authenticate(token),
    onSlowConsumer: () => metrics.wsSlowConsumers.inc(),
    sendPolicy: social.sendPolicy,
    groupAddPolicy: social.groupAddPolicy,
    limiter,
    extensions: extensions.router,
    callbackAddr: () => config.grpc_advertise_addr ?? joinHostPort(callbackHost, callbackPort),
    callbackTokens,
  });
  const callbacks = new ExtCallbackServer(messaging.extensionFlow, logger);
  const health = new HealthService({ store, clock, connections: messaging.hub });
  const connections = new ConnectionGuard({
    maxPerAddress: config.max_connections_per_address,
    maxTotal: config.max_connections,
    healthHeadroom: HEALTH_CHECK_HEADROOM,
  });
  const http = await buildHttpServer(
    {
      auth,
      users,
      health,
      messaging: messaging.services,
      social: social.services,
      groups: messaging.groups,
      worlds: messaging.worlds,
      metrics,
      logger,
    },
    {
      bodyLimit: config.body_limit,
      trustProxy: config.trust_proxy,
      version: VERSION,
      headersTimeoutMs: config.http_headers_timeout * 1000,
      requestTimeoutMs: config.http_request_timeout * 1000,
      keepAliveTimeoutMs: config.http_keep_alive_timeout * 1000,
      connections,
    },
  );

  let sweeper: NodeJS.Timeout | undefined;
  const sweepTokens = async () => {
    try {
      const deleted = await store.refreshTokens.deleteExpired(clock.now());
      if (deleted > 0) logger.debug({ deleted }, 'expired refresh tokens removed');
    } catch (err) {
      logger.warn({ err }, 'could not remove expired refresh tokens');
    }
  };

  let retrying = false;
  const retryExtensions = async () => {
    if (retrying) return;
    retrying = true;
    try {
      await messaging.extensionFlow.retryWaiting();
    } catch (err) {
      logger.warn({ err }, 'could not retry waiting extension messages');
    } finally {
      retrying = false;
    }
  };

  let address = '';
  const grpcAddress = () => joinHostPort(config.grpc_host, callbackPort);
  let extTimer: NodeJS.Timeout | undefined;
  return {
    config,
    logger,
    store,
    http,
    url: () => address,
    grpcPort: () => callbackPort,
    grpcAddress,
    connectionCount: () => messaging.hub.count(),
    async start() {
      await extensions.registry.start();
      callbackPort = await callbacks.listen(config.grpc_host, config.grpc_port);
      extTimer = setInterval(() => void retryExtensions(), EXT_RETRY_INTERVAL_MS).unref();
      messaging.gateway.attach(http.server, connections);
      address = await http.listen({
        host: config.host,
        port: config.port,
        backlog: config.listen_backlog,
      });
      sweeper = setInterval(() => void sweepTokens(), TOKEN_SWEEP_INTERVAL_MS).unref();
      health.markReady();
      const grpc = grpcAddress();
      logger.info(
        {
          url: address,
          grpc,
          grpc_port: callbackPort,
          engine: store.engine,
          data_dir: config.data_dir,
          version: VERSION,
        },
        `Parley is listening on ${address} and on ${grpc} for extension callbacks (gRPC)`,
      );
    },
    async stop() {
      health.markDraining();
      clearInterval(sweeper);
      clearInterval(extTimer);
      messaging.gateway.close();
      const deadline = config.shutdown_timeout * 1000;
      const timer = setTimeout(() => http.server.closeAllConnections(), deadline).unref();
      try {
        await http.close();
      } finally {
        clearTimeout(timer);
        await messaging.services.messaging.drain();
        await callbacks.close();
        await extensions.registry.close();
        extensions.invoker.close();
        await store.close();
        logger.info('Parley stopped');
      }
    },
  };
}
