/** etcd helpers for the tests: the run's shared etcd, reading keys, polling with a bound. */
import { Etcd3 } from 'etcd3';
import { inject } from 'vitest';

/** The etcd that the vitest global setup started for the whole run. */
export const etcdEndpoint = (): string => inject('etcdEndpoint');

export const etcdClient = (): Etcd3 => new Etcd3({ hosts: [etcdEndpoint()] });

/** Every key under `prefix` with its value. */
export async function readPrefix(client: Etcd3, prefix: string): Promise<Record<string, string>> {
  return client.getAll().prefix(prefix).strings();
}

/** The lease a key is written under ('0' for none); undefined if the key is missing. */
export async function leaseOf(client: Etcd3, key: string): Promise<string | undefined> {
  const res = await client.get(key).exec();
  return res.kvs[0]?.lease.toString();
}

/**
 * Calls `probe` until it returns something other than undefined, and returns that; throws once
 * `timeoutMs` has passed. The bound is a failure limit, never the thing under test.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Revokes a lease by id through etcd's JSON gateway, as an operator (or a partition) would. */
export async function revokeLease(leaseId: string): Promise<void> {
  const res = await fetch(`${etcdEndpoint()}/v3/lease/revoke`, {
    method: 'POST',
    body: JSON.stringify({ ID: leaseId }),
  });
  if (!res.ok) throw new Error(`lease revoke: HTTP ${res.status} ${await res.text()}`);
}

/** A prefix of its own for each test, so that tests never see each other's keys. */
export function uniquePrefix(): string {
  return `/parley-test/${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}/services`;
}
