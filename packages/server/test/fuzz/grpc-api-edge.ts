import { Metadata, status, type Client, type MethodDefinition } from '@grpc/grpc-js';
import {
  AuthServiceService,
  ConversationServiceService,
  GroupServiceService,
  MessageServiceService,
  UserServiceService,
} from '@parley/proto';
import { ALLOWED } from './grpc-edge.js';
import type { HttpTargets } from './http-edge.js';
import type { Rng } from './prng.js';
import type { Tally } from './tally.js';
import { randomString } from './values.js';

type Method = MethodDefinition<unknown, unknown> & { readonly fromPartial: () => object };

/**
 * Every method of the public services; Logout is left out (a case that logs the batch's user
 * out would make the rest of the batch unauthenticated: those paths are tried anyway).
 */
export const API_METHODS: readonly Method[] = [
  AuthServiceService,
  ConversationServiceService,
  MessageServiceService,
  UserServiceService,
  GroupServiceService,
].flatMap((service) =>
  Object.values(service as Record<string, MethodDefinition<unknown, unknown>>)
    .filter((m) => !m.path.endsWith('/Logout'))
    .map((m) => ({ ...m, fromPartial: () => defaultsOf(m) })),
);

/** The request's default message (every field at its zero value), read back from empty bytes. */
const defaultsOf = (m: MethodDefinition<unknown, unknown>) =>
  m.requestDeserialize(Buffer.alloc(0)) as object;

export interface ApiCase {
  readonly method: Method;
  readonly bytes: Buffer;
  readonly metadata: Metadata;
  readonly what: string;
}

/** A varint, for hand-made wire bytes. */
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** Fields with random numbers and wire types: wrong types for known fields, unknown fields. */
function randomWire(rng: Rng): Buffer {
  const parts: number[] = [];
  for (let i = rng.int(1, 6); i > 0; i -= 1) {
    const field = rng.int(1, 20);
    const type = rng.pick([0, 1, 2, 5]);
    parts.push(...varint(field * 8 + type));
    if (type === 0) parts.push(...varint(rng.int(0, 2 ** 40)));
    else if (type === 1) parts.push(...Array.from({ length: 8 }, () => rng.int(0, 255)));
    else if (type === 5) parts.push(...Array.from({ length: 4 }, () => rng.int(0, 255)));
    else {
      const body = Buffer.from(randomString(rng, rng.chance(0.05) ? 20_000 : 80));
      parts.push(...varint(body.length), ...body);
    }
  }
  return Buffer.from(parts);
}

/** A value of the same kind as the field's default, random: strings, numbers, lists, headers. */
function randomLike(rng: Rng, key: string, value: unknown, targets: HttpTargets): unknown {
  const ids = [targets.userId, targets.otherUserId, targets.groupId, targets.conversationId];
  if (typeof value === 'string') {
    if (rng.chance(0.4)) return rng.pick(ids);
    if (rng.chance(0.05)) return 'x'.repeat(rng.int(1, 200_000));
    return randomString(rng, 80);
  }
  if (typeof value === 'number') {
    return rng.pick([0, 1, -1, 7, 2 ** 31 - 1, -(2 ** 31), rng.int(-1e6, 1e6)]);
  }
  if (typeof value === 'boolean') return rng.chance(0.5);
  if (Array.isArray(value)) {
    const n = rng.chance(0.05) ? rng.int(100, 1_500) : rng.int(0, 4);
    // Subscribe's resume points are messages; every other list is of ids.
    const item = () =>
      key === 'resume'
        ? {
            conversationId: rng.chance(0.5) ? rng.pick(ids) : randomString(rng, 40),
            afterSeq: rng.int(-5, 1e6),
          }
        : rng.chance(0.5)
          ? rng.pick(ids)
          : randomString(rng, 40);
    return Array.from({ length: n }, item);
  }
  if (value === undefined) {
    // A message field (the header): sometimes set, with the caller's or another user's id.
    return rng.chance(0.5)
      ? undefined
      : {
          traceId: rng.chance(0.5) ? randomString(rng, 40) : '',
          userId: rng.chance(0.5) ? rng.pick(ids) : '',
          timestamp: rng.int(-1e6, 1e6),
        };
  }
  return value;
}

function metadata(rng: Rng, token: string): Metadata {
  const m = new Metadata();
  const roll = rng.next();
  if (roll < 0.7) m.set('authorization', `Bearer ${token}`);
  else if (roll < 0.85) {
    m.set('authorization', randomString(rng, 60).replace(/[^\x20-\x7e]/g, 'x'));
  }
  if (rng.chance(0.1)) m.set('traceparent', randomString(rng, 60).replace(/[^\x20-\x7e]/g, 'x'));
  return m;
}

/** A call to a random method: random bytes, random wire fields, or random values of the right types. */
export function apiCase(rng: Rng, targets: HttpTargets): ApiCase {
  const method = rng.pick(API_METHODS);
  const roll = rng.next();
  let bytes: Buffer;
  let what: string;
  if (roll < 0.15) {
    bytes = Buffer.from(Uint8Array.from({ length: rng.int(0, 400) }, () => rng.int(0, 255)));
    what = `${bytes.length} random bytes`;
  } else if (roll < 0.35) {
    bytes = randomWire(rng);
    what = `random wire fields ${bytes.toString('hex').slice(0, 80)}`;
  } else {
    const request: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(method.fromPartial())) {
      request[key] = randomLike(rng, key, value, targets);
    }
    bytes = method.requestSerialize(request);
    what = JSON.stringify(request).slice(0, 200);
  }
  return { method, bytes, metadata: metadata(rng, targets.token), what };
}

/** Calls the method with the bytes and checks the status is one a bad request may get. */
export async function runApiCase(client: Client, c: ApiCase, tally: Tally): Promise<void> {
  const deadline = new Date(Date.now() + 15_000);
  const code = await new Promise<number>((resolve) => {
    if (c.method.responseStream) {
      // Subscribe: a stream that starts is fine; it is cancelled after its first event.
      const stream = client.makeServerStreamRequest(
        c.method.path,
        (b: Buffer) => b,
        (b: Buffer) => b,
        c.bytes,
        c.metadata,
        { deadline },
      );
      stream.on('data', () => stream.cancel());
      stream.on('error', (err: { code: number }) =>
        resolve(err.code === status.CANCELLED ? status.OK : err.code),
      );
      stream.on('end', () => resolve(status.OK));
      return;
    }
    client.makeUnaryRequest(
      c.method.path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      c.bytes,
      c.metadata,
      { deadline },
      (err) => resolve(err ? err.code : status.OK),
    );
  });
  tally.answer(status[code] ?? code);
  if (!ALLOWED.has(code)) tally.fail(status[code] ?? String(code), `${c.method.path} ${c.what}`);
}
