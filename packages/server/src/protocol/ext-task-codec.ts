/** Payloads of the extension tasks on the TaskQueue (`ext_dispatch`, `ext_retry`): JSON. */
import { z } from 'zod';

export const EXT_DISPATCH = 'ext_dispatch';
export const EXT_RETRY = 'ext_retry';

const ExtTask = z.object({
  message_id: z.string().min(1).max(64),
  msg_type: z.string().min(1).max(128),
  attempts: z.number().int().min(0).max(1_000_000),
  trace_id: z
    .string()
    .regex(/^[0-9a-f]{32}$/)
    .optional(),
});

export interface ExtTask {
  readonly messageId: string;
  readonly msgType: string;
  readonly attempts: number;
  /** The W3C trace id of the request that sent the message, when there was one. */
  readonly traceId?: string | undefined;
}

export function encodeExtTask(task: ExtTask): Uint8Array {
  return Buffer.from(
    JSON.stringify({
      message_id: task.messageId,
      msg_type: task.msgType,
      attempts: task.attempts,
      ...(task.traceId !== undefined && { trace_id: task.traceId }),
    }),
  );
}

/** Throws on anything but a well-formed payload (the queue dead-letters it). */
export function decodeExtTask(payload: Uint8Array): ExtTask {
  const parsed = ExtTask.parse(JSON.parse(Buffer.from(payload).toString('utf8')));
  return {
    messageId: parsed.message_id,
    msgType: parsed.msg_type,
    attempts: parsed.attempts,
    ...(parsed.trace_id !== undefined && { traceId: parsed.trace_id }),
  };
}
