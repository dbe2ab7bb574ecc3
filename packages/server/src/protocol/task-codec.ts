/**
 * A task on a wire between processes: the seed's `TaskMessage` protobuf (im.task.v1, seed 003
 * §5.4). The task type's payload goes in `google.protobuf.Any`, its type_url naming the payload's
 * message; a task type with no message of its own carries its bytes as a
 * `google.protobuf.BytesValue`, so that any protobuf reader can still open it.
 * What arrives is checked: a stray publisher or a bad release may put anything on the subject.
 */
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { TaskMessage as TaskMessageProto } from '@parley/proto';
import type { TaskMessage } from '../ports/task-queue.js';

const TYPE_URL_PREFIX = 'type.googleapis.com/';
const BYTES_VALUE = 'google.protobuf.BytesValue';

/** The payload message of each task type that has one (full protobuf names). */
export const TASK_PAYLOAD_TYPES: Readonly<Record<string, string>> = {
  large_group_fanout: 'im.task.v1.LargeGroupFanoutTask',
};

/** `large_group_fanout`, `ext_retry`, …: short, and safe in logs and subjects. */
const TASK_TYPE = /^[A-Za-z0-9_.:-]{1,128}$/;

export type DecodedTask =
  | { readonly ok: true; readonly task: TaskMessage }
  | { readonly ok: false; readonly reason: string };

export function taskPayloadTypeUrl(taskType: string): string {
  return TYPE_URL_PREFIX + (TASK_PAYLOAD_TYPES[taskType] ?? BYTES_VALUE);
}

/** Throws on a task type that is not well-formed (the caller's mistake, caught at enqueue). */
export function encodeTask(task: TaskMessage): Uint8Array {
  if (!TASK_TYPE.test(task.taskType)) {
    throw new Error(`Task type ${JSON.stringify(task.taskType)} is not well-formed`);
  }
  const typeUrl = taskPayloadTypeUrl(task.taskType);
  const value = typeUrl.endsWith(BYTES_VALUE) ? wrapBytes(task.payload) : task.payload;
  return TaskMessageProto.encode({
    taskType: task.taskType,
    payload: { typeUrl, value: Buffer.from(value.buffer, value.byteOffset, value.byteLength) },
    retryCount: task.retryCount,
    createdAt: task.createdAt,
  }).finish();
}

export function decodeTask(bytes: Uint8Array): DecodedTask {
  let proto: TaskMessageProto;
  try {
    proto = TaskMessageProto.decode(bytes);
  } catch (err) {
    return { ok: false, reason: `not a TaskMessage: ${(err as Error).message}` };
  }
  if (!TASK_TYPE.test(proto.taskType)) {
    return { ok: false, reason: `task_type ${JSON.stringify(proto.taskType)} is not well-formed` };
  }
  const any = proto.payload;
  if (any === undefined || !any.typeUrl.startsWith(TYPE_URL_PREFIX)) {
    return { ok: false, reason: `a ${proto.taskType} task has no payload with a type_url` };
  }
  if (proto.retryCount < 0 || proto.createdAt < 0) {
    return {
      ok: false,
      reason: `a ${proto.taskType} task has a negative retry_count or created_at`,
    };
  }
  let payload: Uint8Array = any.value;
  if (any.typeUrl === TYPE_URL_PREFIX + BYTES_VALUE) {
    try {
      payload = unwrapBytes(any.value);
    } catch (err) {
      return { ok: false, reason: `a ${proto.taskType} task's BytesValue does not decode: ${err}` };
    }
  }
  return {
    ok: true,
    task: {
      taskType: proto.taskType,
      // A copy: the decoded bytes may be a view into a buffer the driver reuses.
      payload: new Uint8Array(payload),
      retryCount: proto.retryCount,
      createdAt: proto.createdAt,
    },
  };
}

/** google.protobuf.BytesValue { bytes value = 1; } */
function wrapBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 0) return bytes;
  return new BinaryWriter().uint32(10).bytes(bytes).finish();
}

function unwrapBytes(encoded: Uint8Array): Uint8Array {
  const reader = new BinaryReader(encoded);
  let value: Uint8Array = new Uint8Array(0);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === 2) value = reader.bytes();
    else reader.skip(wireType);
  }
  return value;
}
