import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import {
  ExtCallbackServiceClient,
  ExtCompleteRequest,
  ExtMessage,
  type ExtCompleteResponse,
} from '@parley/proto';
import type { Rng } from './prng.js';
import type { Tally } from './tally.js';
import { deepJson, excessiveDepth, randomJson, randomString } from './values.js';

/** Answers a malformed gRPC call may get; anything else (INTERNAL, UNKNOWN, ...) is a hole. */
export const ALLOWED = new Set<number>([
  status.OK,
  status.INVALID_ARGUMENT,
  status.NOT_FOUND,
  status.PERMISSION_DENIED,
  status.UNAUTHENTICATED,
  status.FAILED_PRECONDITION,
  status.ALREADY_EXISTS,
  status.RESOURCE_EXHAUSTED,
]);

const COMPLETE = '/im.ext.ExtCallbackService/Complete';
const ULID = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export type GrpcCase =
  | { readonly kind: 'message'; readonly request: ExtCompleteRequest; readonly metadata: Metadata }
  | { readonly kind: 'bytes'; readonly bytes: Buffer; readonly metadata: Metadata };

function msgId(rng: Rng): string {
  if (rng.chance(0.4)) return randomString(rng, 40);
  return Array.from({ length: 26 }, () => rng.pick([...ULID])).join('');
}

function payload(rng: Rng): Buffer {
  const mode = rng.int(0, 3);
  if (mode === 0) return Buffer.from(JSON.stringify(randomJson(rng)));
  if (mode === 1) return Buffer.from(deepJson(rng, excessiveDepth(rng)));
  if (mode === 2)
    return Buffer.from(Uint8Array.from({ length: rng.int(0, 300) }, () => rng.int(0, 255)));
  return Buffer.from(`{"text":"${randomString(rng, 200).replace(/["\\]/g, '')}"}`);
}

function metadata(rng: Rng): Metadata {
  const m = new Metadata();
  const printable = () => randomString(rng, 60).replace(/[^\x20-\x7e]/g, 'x');
  if (rng.chance(0.3)) m.set('authorization', `Bearer ${printable()}`);
  if (rng.chance(0.3)) m.set('x-parley-callback-token', printable());
  if (rng.chance(0.1)) m.set(`x-${rng.int(0, 1e6)}`, printable());
  return m;
}

/** A Complete with random fields, or random bytes in place of the protobuf message. */
export function grpcCase(rng: Rng): GrpcCase {
  if (rng.chance(0.15)) {
    return {
      kind: 'bytes',
      bytes: Buffer.from(Uint8Array.from({ length: rng.int(0, 400) }, () => rng.int(0, 255))),
      metadata: metadata(rng),
    };
  }
  const many = rng.chance(0.05);
  const generated = Array.from({ length: many ? rng.int(90, 120) : rng.int(0, 3) }, () =>
    ExtMessage.fromPartial({
      msgId: msgId(rng),
      msgType: rng.chance(0.5) ? rng.pick(['text', 'custom', 'x.echo']) : randomString(rng, 70),
      fromUid: rng.chance(0.5) ? msgId(rng) : randomString(rng, 30),
      conversation: randomString(rng, 30),
      payload: many ? Buffer.from('{}') : payload(rng),
    }),
  );
  return {
    kind: 'message',
    request: ExtCompleteRequest.fromPartial({
      requestId: randomString(rng, 40),
      msgId: msgId(rng),
      status: rng.chance(0.8) ? rng.int(0, 5) : rng.int(-5, 1_000_000),
      reason: randomString(rng, rng.chance(0.05) ? 100_000 : 100),
      generated,
    }),
    metadata: metadata(rng),
  };
}

export function callbackClient(addr: string): ExtCallbackServiceClient {
  return new ExtCallbackServiceClient(addr, credentials.createInsecure());
}

/** Calls Complete and checks the invariant: the status is one a bad request may get. */
export async function runGrpcCase(
  client: ExtCallbackServiceClient,
  c: GrpcCase,
  tally: Tally,
): Promise<void> {
  const options = { deadline: new Date(Date.now() + 15_000) };
  const code = await new Promise<number>((resolve) => {
    const done = (err: ServiceError | null) => resolve(err ? err.code : status.OK);
    if (c.kind === 'message') {
      client.complete(
        c.request,
        c.metadata,
        options,
        (err: ServiceError | null, _res?: ExtCompleteResponse) => done(err),
      );
    } else {
      client.makeUnaryRequest(
        COMPLETE,
        (b: Buffer) => b,
        (b: Buffer) => b,
        c.bytes,
        c.metadata,
        options,
        (err) => done(err),
      );
    }
  });
  tally.answer(status[code] ?? code);
  if (!ALLOWED.has(code)) {
    const what =
      c.kind === 'message'
        ? `msg_id=${JSON.stringify(c.request.msgId).slice(0, 40)} status=${c.request.status} generated=${c.request.generated.length}`
        : `${c.bytes.length} random bytes`;
    tally.fail(status[code] ?? String(code), what);
  }
}
