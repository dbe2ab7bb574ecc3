/** `serveExtension`: the gRPC server, its registration in etcd, and an orderly close. */
import { randomBytes } from 'node:crypto';
import { hostname, networkInterfaces } from 'node:os';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ExtMessageServiceService } from '@parley/proto';
import { Etcd3 } from 'etcd3';
import { CallbackClients } from './callback-client.js';
import { ExtError } from './errors.js';
import { InFlight } from './in-flight.js';
import { resolveOptions, type ResolvedOptions, type ServeOptions } from './options.js';
import { EtcdRegistration, type RegistrationEntry } from './registration.js';
import { createExtMessageService } from './service.js';

/** A running extension service. */
export interface RunningExtension {
  /** The `host:port` registered for Parley to dial. */
  readonly addr: string;
  /** The port the server listens on (useful with `port: 0`). */
  readonly port: number;
  /** This instance's id in the registry keys. */
  readonly instanceId: string;
  /** The registry keys written (empty without `etcd`). */
  readonly keys: readonly string[];
  /**
   * Deregisters, then stops: revokes the lease (Parley stops routing here), refuses new calls,
   * waits up to `shutdownGraceMs` for calls and async handlers in flight (then aborts their
   * `signal`), and shuts the server down. Safe to call more than once.
   */
  close(): Promise<void>;
}

/**
 * Serves the given message types over gRPC (`im.ext.ExtMessageService`) and, with `etcd`,
 * registers each under `/parley/ext/services/<msg_type>/<instance_id>` with one lease kept
 * alive. Resolves once serving and registered; rejects with `ExtError` (`INVALID_OPTIONS`,
 * `REGISTRATION_FAILED`) or the bind error, leaving nothing running.
 */
export async function serveExtension(options: ServeOptions): Promise<RunningExtension> {
  const resolved = resolveOptions(options);
  const { logger: log } = resolved;
  const inFlight = new InFlight();
  const callbacks = new CallbackClients({
    ...resolved.callback,
    ...(resolved.callbackCredentials ? { credentials: resolved.callbackCredentials } : {}),
  });
  const server = new Server();
  server.addService(
    ExtMessageServiceService,
    createExtMessageService({
      types: resolved.types,
      callbacks,
      inFlight,
      idempotency: resolved.idempotency,
      log,
    }),
  );
  let port: number;
  try {
    port = await bind(server, resolved);
  } catch (err) {
    server.forceShutdown();
    throw err;
  }
  const addr = resolved.advertiseAddr ?? `${advertisedHost(resolved.host)}:${port}`;
  const instanceId = resolved.instanceId ?? defaultInstanceId();
  const etcd = resolved.etcd;
  let registration: EtcdRegistration | undefined;
  let ownClient: Etcd3 | undefined;
  const entries = etcd ? registryEntries(resolved, addr, instanceId) : [];
  if (etcd) {
    if (etcd.client === undefined) ownClient = new Etcd3({ hosts: [...etcd.endpoints] });
    registration = new EtcdRegistration({
      client: etcd.client ?? ownClient!,
      entries,
      ttlSeconds: etcd.leaseTtlSeconds,
      requestTimeoutMs: etcd.requestTimeoutMs,
      log,
    });
    try {
      await registration.start();
    } catch (err) {
      server.forceShutdown();
      ownClient?.close();
      callbacks.close();
      throw new ExtError('REGISTRATION_FAILED', `Registering in etcd failed: ${String(err)}`, {
        cause: err,
      });
    }
  }
  log('info', 'extension serving', {
    addr,
    instance_id: instanceId,
    types: [...resolved.types.keys()],
  });

  let closing: Promise<void> | undefined;
  const close = async () => {
    await registration?.close();
    ownClient?.close();
    await inFlight.drain(resolved.shutdownGraceMs);
    await shutdown(server, resolved.shutdownGraceMs);
    callbacks.close();
    log('info', 'extension closed', { addr, instance_id: instanceId });
  };
  return Object.freeze({
    addr,
    port,
    instanceId,
    keys: Object.freeze(entries.map((e) => e.key)),
    close: () => (closing ??= close()),
  });
}

/** The registry key and JSON value of every served type. */
function registryEntries(
  resolved: ResolvedOptions,
  addr: string,
  instanceId: string,
): RegistrationEntry[] {
  const etcd = resolved.etcd!;
  return [...resolved.types].map(([msgType, spec]) => ({
    key: `${etcd.keyPrefix}/${msgType}/${instanceId}`,
    // JSON.stringify leaves out an undefined timeout_ms: Parley then uses the type's policy.
    value: JSON.stringify({
      addr,
      mode: spec.mode,
      timeout_ms: spec.timeoutMs ?? etcd.timeoutMs,
      weight: etcd.weight,
      tags: etcd.tags,
    }),
  }));
}

function bind(server: Server, resolved: ResolvedOptions): Promise<number> {
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  const credentials = resolved.credentials ?? ServerCredentials.createInsecure();
  return new Promise((resolve, reject) => {
    server.bindAsync(`${host}:${resolved.port}`, credentials, (err, port) =>
      err ? reject(err) : resolve(port),
    );
  });
}

/** Waits for calls to end, up to `graceMs`, then cuts them. */
function shutdown(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A host others can dial: the bound one, or for a wildcard this machine's first IPv4. */
function advertisedHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::' && host !== '') {
    return host.includes(':') ? `[${host}]` : host;
  }
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.family === 'IPv4' && !info.internal) return info.address;
    }
  }
  return '127.0.0.1';
}

function defaultInstanceId(): string {
  const host =
    hostname()
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .slice(0, 64) || 'host';
  return `${host}-${process.pid}-${randomBytes(4).toString('hex')}`;
}
