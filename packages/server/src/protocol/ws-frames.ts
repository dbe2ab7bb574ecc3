/** WebSocket frames: request shape, close codes, and the encoders the gateway and fan-out share. */
import { z } from 'zod';
import type { ErrorCode, ErrorReason } from '../domain/errors.js';

/** Close codes (docs/protocol.md, "Limits and closes"). */
export const CLOSE = {
  normal: 1000,
  goingAway: 1001,
  tooBig: 1009,
  internal: 1011,
  /** The gateway may have missed events for the connection: reconnect, then catch up by seq. */
  resync: 1012,
  idle: 4000,
  sessionEnded: 4001,
  slowConsumer: 4008,
} as const;

export const RequestFrame = z.object({
  id: z.union([z.string().max(128), z.number()]).optional(),
  op: z.string().min(1).max(64),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type RequestFrame = z.infer<typeof RequestFrame>;

export type RequestId = string | number | null;

/**
 * A value already encoded as JSON text, for the encoders below to splice in as is (a message
 * encoded once for both the sender's reply and the fan-out).
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** `{"event": name, "data": data}` as bytes: encode once, send to every connection. */
export const encodeEvent = (event: string, data: unknown): Buffer =>
  Buffer.from(
    data instanceof RawJson
      ? `{"event":${JSON.stringify(event)},"data":${data.text}}`
      : JSON.stringify({ event, data }),
  );

export const encodeReply = (id: RequestId, data: unknown): string =>
  data instanceof RawJson
    ? `{"id":${JSON.stringify(id)},"ok":true,"data":${data.text}}`
    : JSON.stringify({ id, ok: true, data });

/** An error reply; `reason` is the catalogue's (the code when none is more specific). */
export const encodeError = (
  id: RequestId,
  code: ErrorCode,
  message: string,
  more: { reason?: ErrorReason; field?: string | undefined } = {},
): string =>
  JSON.stringify({
    id,
    ok: false,
    error: {
      code,
      reason: more.reason ?? code,
      message,
      ...(more.field !== undefined && { field: more.field }),
    },
  });
