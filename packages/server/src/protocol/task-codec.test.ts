import { LargeGroupFanoutTask, TaskMessage as TaskMessageProto, type Any } from '@parley/proto';
import { describe, expect, it } from 'vitest';
import { decodeTask, encodeTask, taskPayloadTypeUrl } from './task-codec.js';

const task = (taskType: string, payload: Uint8Array) => ({
  taskType,
  payload,
  retryCount: 2,
  createdAt: 1_735_689_600_123,
});

describe('task codec', () => {
  it('puts a known type payload in Any under its message name, as it is', () => {
    const fanout = LargeGroupFanoutTask.encode({
      groupId: 'g1',
      messageId: 'm1',
      batchSize: 500,
      conversationId: 'c1',
      seq: 42,
      frame: Buffer.from('{"event":"message"}'),
      exceptConnection: 'conn',
      exceptUser: 'u1',
      afterUserId: 'u0',
    }).finish();
    const bytes = encodeTask(task('large_group_fanout', fanout));
    const wire = TaskMessageProto.decode(bytes);
    expect(wire.taskType).toBe('large_group_fanout');
    expect(wire.payload?.typeUrl).toBe('type.googleapis.com/im.task.v1.LargeGroupFanoutTask');
    expect(Buffer.from(wire.payload?.value ?? []).equals(Buffer.from(fanout))).toBe(true);
    expect(wire.createdAt).toBe(1_735_689_600_123);

    const decoded = decodeTask(bytes);
    expect(decoded).toEqual({ ok: true, task: task('large_group_fanout', fanout) });
    if (decoded.ok) expect(LargeGroupFanoutTask.decode(decoded.task.payload).seq).toBe(42);
  });

  it('wraps the bytes of a type with no message of its own in a BytesValue', () => {
    const payload = new Uint8Array([1, 2, 3, 0, 255]);
    const bytes = encodeTask(task('token_sweep', payload));
    const any = TaskMessageProto.decode(bytes).payload as Any;
    expect(any.typeUrl).toBe(taskPayloadTypeUrl('token_sweep'));
    expect(any.typeUrl).toBe('type.googleapis.com/google.protobuf.BytesValue');
    // BytesValue { bytes value = 1; }: tag 0x0a, length, bytes.
    expect([...any.value]).toEqual([0x0a, 5, 1, 2, 3, 0, 255]);
    expect(decodeTask(bytes)).toEqual({ ok: true, task: task('token_sweep', payload) });
    expect(decodeTask(encodeTask(task('empty', new Uint8Array())))).toEqual({
      ok: true,
      task: task('empty', new Uint8Array()),
    });
  });

  it('refuses a malformed task type at encoding', () => {
    expect(() => encodeTask(task('', new Uint8Array()))).toThrow(/not well-formed/);
    expect(() => encodeTask(task('a b', new Uint8Array()))).toThrow(/not well-formed/);
  });

  it('refuses what is not a task, without throwing', () => {
    const noPayload = TaskMessageProto.encode({
      taskType: 'x',
      payload: undefined,
      retryCount: 0,
      createdAt: 0,
    }).finish();
    const cases = [
      new Uint8Array(0),
      new TextEncoder().encode('{"task_type":"x"}'),
      new Uint8Array([0x0a, 0x7f, 0x61]),
      noPayload,
      encodeTask(task('x', new Uint8Array([9]))).slice(0, -1),
    ];
    for (const bytes of cases) expect(decodeTask(bytes)).toMatchObject({ ok: false });
  });
});
