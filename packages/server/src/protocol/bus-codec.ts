/**
 * A BusMessage on a wire between nodes (the NATS bus): the frame travels as the payload, byte for
 * byte, and the other fields as one JSON text (`parley-meta`), present only when there is
 * something to say beyond the frame, so that the common message costs no JSON at all.
 * What arrives is validated: another node, an older version or a stray publisher may send
 * anything.
 */
import { z } from 'zod';
import type { BusControl, BusMessage } from '../ports/bus.js';

/** The NATS header that carries the meta text. */
export const BUS_META_HEADER = 'parley-meta';

export interface EncodedBusMessage {
  /** The frame's bytes (empty when the message has none). */
  readonly payload: Uint8Array;
  /** JSON of the other fields; absent when the message is a frame alone. */
  readonly meta?: string;
}

export type DecodedBusMessage =
  | { readonly ok: true; readonly message: BusMessage }
  | { readonly ok: false; readonly reason: string };

const EMPTY = new Uint8Array(0);

const key = z.string().max(1_024);
const cacheName = z.enum(['social', 'conversation', 'members', 'session']);

const BusControlSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('subscribe'), conversationId: key }),
  z.object({ kind: z.literal('unsubscribe'), conversationId: key }),
  z.object({ kind: z.literal('unsubscribe-bridge'), accountId: key }),
  z.object({
    kind: z.literal('close-session'),
    sessionId: key,
    code: z.number().int().min(1_000).max(4_999),
    reason: z.string().max(1_024),
  }),
  z.object({
    kind: z.literal('invalidate'),
    cache: cacheName,
    keys: z.array(key).max(100_000),
    origin: key,
  }),
]);

/** Unknown keys are ignored, so that a newer node's additions do not silence older nodes. */
const BusMetaSchema = z.object({
  /** false when the message carries no frame (an empty payload is then not an empty frame). */
  frame: z.literal(false).optional(),
  exceptConnection: key.optional(),
  exceptUser: key.optional(),
  control: BusControlSchema.optional(),
});

export function encodeBusMessage(message: BusMessage): EncodedBusMessage {
  const { frame, exceptConnection, exceptUser, control } = message;
  if (
    frame !== undefined &&
    exceptConnection === undefined &&
    exceptUser === undefined &&
    control === undefined
  ) {
    return { payload: frame };
  }
  const meta = JSON.stringify({
    ...(frame === undefined ? { frame: false } : {}),
    exceptConnection,
    exceptUser,
    control,
  });
  return { payload: frame ?? EMPTY, meta };
}

/** The frame is copied: the payload may be a view into a buffer the driver reuses. */
export function decodeBusMessage(payload: Uint8Array, meta: string | undefined): DecodedBusMessage {
  if (meta === undefined) return { ok: true, message: { frame: Buffer.from(payload) } };
  let json: unknown;
  try {
    json = JSON.parse(meta);
  } catch {
    return { ok: false, reason: `${BUS_META_HEADER} is not JSON` };
  }
  const parsed = BusMetaSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : ` at ${issue.path.join('.') || '(root)'}`;
    return { ok: false, reason: `${BUS_META_HEADER} is invalid${where}: ${issue?.message ?? ''}` };
  }
  const m = parsed.data;
  if (m.frame === false && payload.length > 0) {
    return {
      ok: false,
      reason: `${BUS_META_HEADER} says there is no frame, but there is a payload`,
    };
  }
  const message: BusMessage = {
    ...(m.frame === false ? {} : { frame: Buffer.from(payload) }),
    ...(m.exceptConnection === undefined ? {} : { exceptConnection: m.exceptConnection }),
    ...(m.exceptUser === undefined ? {} : { exceptUser: m.exceptUser }),
    ...(m.control === undefined ? {} : { control: m.control satisfies BusControl }),
  };
  return { ok: true, message };
}
