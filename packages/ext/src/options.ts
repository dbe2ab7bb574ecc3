/** The options of `serveExtension`: their types, defaults and the check run once at start. */
import type { ChannelCredentials, ServerCredentials } from '@grpc/grpc-js';
import type { Etcd3 } from 'etcd3';
import { ExtError } from './errors.js';
import type { ExtTypeSpec } from './handlers.js';
import { safeLogger, silentLogger, type Logger } from './logger.js';

/** Registration in etcd, under `<keyPrefix>/<msg_type>/<instance_id>`. */
export interface EtcdOptions {
  /** etcd client URLs, e.g. `['http://127.0.0.1:2379']`. */
  readonly endpoints: readonly string[];
  /** The lease's TTL: how long the keys outlive a dead process. Default 10. */
  readonly leaseTtlSeconds?: number;
  /** `weight` registered for every type (relative share of traffic, 0–10000). Default 1. */
  readonly weight?: number;
  /** `tags` registered for every type (gray release, zone, …). Default `{}`. */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * `timeout_ms` registered for a type that sets none: Parley's deadline per call (for an async
   * type, for the ack), 1–600000. Unset (the default): no `timeout_ms` is registered, so the
   * operators' per-type policy (`/parley/ext/config/<msg_type>`) or Parley's default applies;
   * an instance's `timeout_ms` would take precedence over both.
   */
  readonly timeoutMs?: number;
  /** Default `/parley/ext/services`: the prefix Parley watches. */
  readonly keyPrefix?: string;
  /** Deadline of each etcd request (grant, put, revoke). Default 5000. */
  readonly requestTimeoutMs?: number;
  /** An etcd client to use instead of one made from `endpoints`; it is not closed on close. */
  readonly client?: Etcd3;
}

export interface ServeOptions {
  /** The served message types and their handlers, by `msg_type`. */
  readonly types: Readonly<Record<string, ExtTypeSpec>>;
  /** The interface to listen on. Default `127.0.0.1`. */
  readonly host?: string;
  /** The port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /**
   * The `host:port` Parley should dial, as registered. Default: `host:port` as bound, with a
   * wildcard host (`0.0.0.0`, `::`) replaced by this machine's first external IPv4 address.
   */
  readonly advertiseAddr?: string;
  /** This process's id in the registry keys. Default `<hostname>-<pid>-<random>`. */
  readonly instanceId?: string;
  /** Where to register. Without it the extension serves but does not register. */
  readonly etcd?: EtcdOptions;
  /** Calls to Parley's callback service: deadline per attempt and attempts. */
  readonly callback?: { readonly timeoutMs?: number; readonly attempts?: number };
  /** Repeated calls for the same msg_id in this process; `false` turns the cache off. */
  readonly idempotency?: { readonly maxEntries?: number; readonly ttlMs?: number } | false;
  /** How long `close()` waits for calls and async handlers in flight. Default 5000. */
  readonly shutdownGraceMs?: number;
  /** The gRPC server's credentials. Default: insecure. */
  readonly credentials?: ServerCredentials;
  /** Credentials for channels to Parley's callback service. Default: insecure. */
  readonly callbackCredentials?: ChannelCredentials;
  /** Where log lines go. Default: nowhere. */
  readonly logger?: Logger;
}

/** {@link EtcdOptions} with every default applied; frozen. */
export type ResolvedEtcdOptions = Required<Omit<EtcdOptions, 'client' | 'timeoutMs'>> & {
  readonly timeoutMs: number | undefined;
  readonly client: Etcd3 | undefined;
};

/** {@link ServeOptions} with every default applied; frozen. */
export interface ResolvedOptions {
  readonly types: ReadonlyMap<string, ExtTypeSpec>;
  readonly host: string;
  readonly port: number;
  readonly advertiseAddr: string | undefined;
  readonly instanceId: string | undefined;
  readonly etcd: ResolvedEtcdOptions | undefined;
  readonly callback: { readonly timeoutMs: number; readonly attempts: number };
  readonly idempotency: { readonly maxEntries: number; readonly ttlMs: number } | false;
  readonly shutdownGraceMs: number;
  readonly credentials: ServerCredentials | undefined;
  readonly callbackCredentials: ChannelCredentials | undefined;
  readonly logger: Logger;
}

/** Parley's rule for message types. */
export const MSG_TYPE_PATTERN = /^[a-z][a-z0-9_.-]{0,63}$/;

const TOP_KEYS = [
  'types',
  'host',
  'port',
  'advertiseAddr',
  'instanceId',
  'etcd',
  'callback',
  'idempotency',
  'shutdownGraceMs',
  'credentials',
  'callbackCredentials',
  'logger',
];
const ETCD_KEYS = [
  'endpoints',
  'leaseTtlSeconds',
  'weight',
  'tags',
  'timeoutMs',
  'keyPrefix',
  'requestTimeoutMs',
  'client',
];
const INT32_MAX = 2 ** 31 - 1;
/** The ranges Parley's registry accepts; a record outside them would be ignored. */
const MAX_TIMEOUT_MS = 600_000;
const MAX_WEIGHT = 10_000;

function fail(message: string): never {
  throw new ExtError('INVALID_OPTIONS', message);
}

function onlyKeys(value: object, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(`${where}: unknown option "${key}".`);
  }
}

function int(value: unknown, where: string, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    fail(`${where} must be an integer from ${min} to ${max}.`);
  }
  return value as number;
}

function resolveType(name: string, spec: ExtTypeSpec): ExtTypeSpec {
  if (!MSG_TYPE_PATTERN.test(name)) fail(`types: "${name}" must match ${MSG_TYPE_PATTERN}.`);
  const where = `types.${name}`;
  if (typeof spec !== 'object' || spec === null) fail(`${where} must be an object.`);
  const timeoutMs =
    spec.timeoutMs === undefined
      ? undefined
      : int(spec.timeoutMs, `${where}.timeoutMs`, 1, MAX_TIMEOUT_MS);
  // Copied field by field (bound), so a spec with its handler on a prototype works too.
  if (spec.mode === 'sync') {
    onlyKeys(spec, ['mode', 'handle', 'timeoutMs'], where);
    if (typeof spec.handle !== 'function') fail(`${where}.handle must be a function.`);
    return Object.freeze({ mode: 'sync', handle: spec.handle.bind(spec), timeoutMs });
  }
  if (spec.mode === 'async') {
    onlyKeys(spec, ['mode', 'handleAsync', 'timeoutMs'], where);
    if (typeof spec.handleAsync !== 'function') fail(`${where}.handleAsync must be a function.`);
    return Object.freeze({ mode: 'async', handleAsync: spec.handleAsync.bind(spec), timeoutMs });
  }
  return fail(`${where}.mode must be "sync" or "async".`);
}

function resolveEtcd(etcd: EtcdOptions): ResolvedEtcdOptions {
  onlyKeys(etcd, ETCD_KEYS, 'etcd');
  const endpoints: readonly unknown[] = etcd.endpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    fail('etcd.endpoints must list at least one URL.');
  }
  if (!endpoints.every((e) => typeof e === 'string' && e.length > 0)) {
    fail('etcd.endpoints must be strings.');
  }
  const tags = etcd.tags ?? {};
  if (typeof tags !== 'object' || tags === null || Array.isArray(tags)) {
    fail('etcd.tags must be an object of strings.');
  }
  if (!Object.values(tags).every((v) => typeof v === 'string')) {
    fail('etcd.tags must be an object of strings.');
  }
  const keyPrefix = (etcd.keyPrefix ?? '/parley/ext/services').replace(/\/+$/, '');
  if (!keyPrefix.startsWith('/')) fail('etcd.keyPrefix must start with "/".');
  return Object.freeze({
    endpoints: Object.freeze([...(endpoints as string[])]),
    leaseTtlSeconds: int(etcd.leaseTtlSeconds ?? 10, 'etcd.leaseTtlSeconds', 1, 3600),
    weight: int(etcd.weight ?? 1, 'etcd.weight', 0, MAX_WEIGHT),
    tags: Object.freeze({ ...tags }),
    timeoutMs:
      etcd.timeoutMs === undefined
        ? undefined
        : int(etcd.timeoutMs, 'etcd.timeoutMs', 1, MAX_TIMEOUT_MS),
    keyPrefix,
    requestTimeoutMs: int(etcd.requestTimeoutMs ?? 5000, 'etcd.requestTimeoutMs', 1, INT32_MAX),
    client: etcd.client,
  });
}

/** Checks `options`, applies the defaults and freezes the result; throws `INVALID_OPTIONS`. */
export function resolveOptions(options: ServeOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) fail('options must be an object.');
  onlyKeys(options, TOP_KEYS, 'options');
  const entries = Object.entries(options.types ?? {});
  if (entries.length === 0) fail('types must name at least one message type.');
  const types = new Map(entries.map(([name, spec]) => [name, resolveType(name, spec)] as const));
  const instanceId = options.instanceId;
  if (instanceId !== undefined && !/^[A-Za-z0-9_.:-]{1,128}$/.test(instanceId)) {
    fail('instanceId must be 1-128 characters of A-Z a-z 0-9 _ . : -');
  }
  const idempotency = options.idempotency;
  return Object.freeze({
    types,
    host: options.host ?? '127.0.0.1',
    port: int(options.port ?? 0, 'port', 0, 65_535),
    advertiseAddr: options.advertiseAddr,
    instanceId,
    etcd: options.etcd === undefined ? undefined : resolveEtcd(options.etcd),
    callback: Object.freeze({
      timeoutMs: int(options.callback?.timeoutMs ?? 2000, 'callback.timeoutMs', 1, INT32_MAX),
      attempts: int(options.callback?.attempts ?? 4, 'callback.attempts', 1, 100),
    }),
    idempotency:
      idempotency === false
        ? false
        : Object.freeze({
            maxEntries: int(idempotency?.maxEntries ?? 10_000, 'idempotency.maxEntries', 1, 1e7),
            ttlMs: int(idempotency?.ttlMs ?? 600_000, 'idempotency.ttlMs', 1, INT32_MAX),
          }),
    shutdownGraceMs: int(options.shutdownGraceMs ?? 5000, 'shutdownGraceMs', 0, INT32_MAX),
    credentials: options.credentials,
    callbackCredentials: options.callbackCredentials,
    logger: safeLogger(options.logger ?? silentLogger),
  });
}
