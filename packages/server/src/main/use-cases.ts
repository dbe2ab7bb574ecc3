/** The use-case tier of the composition root: every capability's services, no edge. */
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Argon2Hasher } from '../adapters/security/argon2-hasher.js';
import { HmacCallbackTokens } from '../adapters/security/hmac-callback-tokens.js';
import { HmacDeviceTokens } from '../adapters/security/hmac-device-tokens.js';
import { DeviceService } from '../app/devices/device-service.js';
import { WorkerTokenService } from '../app/bridges/worker-tokens.js';
import { BridgeSyncService } from '../app/bridges/bridge-sync.js';
import { BridgeReadService } from '../app/bridges/bridge-read.js';
import { BridgeGrantService } from '../app/bridges/bridge-grants.js';
import { BridgeAccountService } from '../app/bridges/bridge-accounts.js';
import { LIST_OF_KIND } from '../protocol/bridge-sync.js';
import { JoseAccessTokens } from '../adapters/security/jose-access-tokens.js';
import { RandomSecretTokens } from '../adapters/security/secret-tokens.js';
import { loadSigningKey } from '../adapters/security/signing-key.js';
import { AuthService } from '../app/accounts/auth-service.js';
import { UserService } from '../app/accounts/user-service.js';
import { CacheSync } from '../app/cluster/cache-sync.js';
import { PresenceService } from '../app/presence/presence-service.js';
import type { Config } from '../config/schema.js';
import type { Clock, Ids } from '../ports/system.js';
import type { Engines } from './engines.js';
import { composeExtensions, type ExtensionParts } from './extensions.js';
import type { Lifecycle } from './lifecycle.js';
import { composeMessaging, type MessagingParts } from './messaging.js';
import { composeSocial, type SocialParts } from './social.js';

export const SIGNING_KEY_FILE = join('keys', 'access-token-ed25519.pem');

export interface UseCases {
  readonly auth: AuthService;
  readonly users: UserService;
  readonly social: SocialParts;
  readonly messaging: MessagingParts;
  readonly extensions: ExtensionParts;
  readonly presence: PresenceService;
  readonly devices: DeviceService;
  readonly workerTokens: WorkerTokenService;
  readonly bridgeSync: BridgeSyncService;
  readonly bridgeRead: BridgeReadService;
  readonly bridgeGrants: BridgeGrantService;
  readonly bridgeAccounts: BridgeAccountService;
}

export async function composeUseCases(
  config: Config,
  engines: Engines,
  lifecycle: Lifecycle,
  deps: {
    clock: Clock;
    ids: Ids;
    logger: Logger;
    metrics: Registry;
    nodeId: string;
    /** Other nodes share the engines: large groups fan out from the workers. */
    clustered: boolean;
    /** host:port of the extension callback service, once known. */
    callbackAddr: () => string;
  },
): Promise<UseCases> {
  const { store, bus, limiter } = engines;
  const { clock, ids, logger } = deps;
  const signingKey = await loadSigningKey({
    privateKeyPem: config.jwt_private_key,
    keyFile: join(config.data_dir, SIGNING_KEY_FILE),
  });
  const accessTokens = await JoseAccessTokens.fromKey(signingKey);
  // From the signing key: the same after a restart and on every node (docs/extensions.md).
  const callbackTokens = HmacCallbackTokens.fromSigningKey(signingKey);
  const windowMs = config.rate_limit_window * 1000;
  const auth = new AuthService(
    {
      store,
      hasher: new Argon2Hasher({
        memoryCost: config.argon2_memory_kib,
        timeCost: config.argon2_iterations,
        parallelism: 1,
      }),
      accessTokens,
      secrets: new RandomSecretTokens(),
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
  const extensions = composeExtensions(config, logger, deps.metrics, callbackTokens);
  lifecycle.add({
    name: 'extension registry',
    start: () => extensions.registry.start(),
    stop: async () => {
      await extensions.registry.close();
      extensions.invoker.close();
    },
  });
  const cacheSync = new CacheSync(bus, deps.nodeId);
  lifecycle.add({ name: 'cache sync', stop: async () => cacheSync.close() });
  const social = composeSocial({
    store,
    bus,
    cacheSync,
    clock,
    ids,
    dmPolicy: config.dm_policy,
    guestPolicy: config.guest_policy,
    groupAddPolicy: config.group_add_policy,
  });
  const messaging = composeMessaging({
    config,
    cacheSync,
    store,
    bus,
    clock,
    ids,
    logger,
    sendPolicy: social.sendPolicy,
    groupAddPolicy: social.groupAddPolicy,
    limiter,
    extensions: extensions.router,
    callbackAddr: deps.callbackAddr,
    callbackTokens,
    tasks: engines.tasks,
    workerFanout: deps.clustered,
  });
  lifecycle.add({ name: 'message writer', stop: () => messaging.services.messaging.drain() });
  const presence = new PresenceService({
    presence: engines.presence,
    store,
    fanout: messaging.fanout,
    clock,
  });
  const users = new UserService({ store, clock });
  const devices = new DeviceService({
    devices: store.devices,
    sessions: store.deviceSessions,
    tokens: HmacDeviceTokens.fromSigningKey(signingKey),
    clock,
    authenticate: (token) => auth.authenticate(token),
  });
  const workerTokens = new WorkerTokenService({ tokens: store.workerTokens, clock, ids });
  const bridgeSync = new BridgeSyncService({
    items: store.bridgeItems,
    clock,
    listOfKind: LIST_OF_KIND,
  });
  const bridgeRead = new BridgeReadService({
    items: store.bridgeItems,
    grants: store.bridgeGrants,
  });
  const bridgeGrants = new BridgeGrantService({
    items: store.bridgeItems,
    grants: store.bridgeGrants,
    users: store.users,
    bus,
    clock,
  });
  const bridgeAccounts = new BridgeAccountService({
    items: store.bridgeItems,
    tokens: store.workerTokens,
  });
  return {
    auth,
    users,
    social,
    messaging,
    extensions,
    presence,
    devices,
    workerTokens,
    bridgeSync,
    bridgeRead,
    bridgeGrants,
    bridgeAccounts,
  };
}
