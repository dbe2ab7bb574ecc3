import { describe, expect, it } from 'vitest';
import { ParleyError } from './errors.js';
import { Outbox, isRetryable, randomId, type OutboxOptions } from './outbox.js';
import type { Message, MessageSendData, MessageSendReply } from './types.js';

interface Call {
  data: MessageSendData;
  resolve(reply: MessageSendReply): void;
  reject(error: unknown): void;
}

/** An outbox over a transmit function and a clock that the test drives by hand. */
function harness(options: Partial<OutboxOptions> = {}) {
  const calls: Call[] = [];
  const timers: { callback: () => void; delayMs: number; cancelled: boolean }[] = [];
  let ids = 0;
  const outbox = new Outbox({
    transmit: (data) =>
      new Promise<MessageSendReply>((resolve, reject) => calls.push({ data, resolve, reject })),
    newId: () => `id-${++ids}`,
    retryDelayMs: (attempt) => 100 * 2 ** attempt,
    schedule: (callback, delayMs) => {
      const timer = { callback, delayMs, cancelled: false };
      timers.push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
    ...options,
  });
  const fireTimers = (): void => {
    for (const timer of timers.splice(0)) if (!timer.cancelled) timer.callback();
  };
  return { outbox, calls, timers, fireTimers };
}

function message(data: MessageSendData, seq: number): Message {
  return {
    message_id: `m${seq}`,
    conversation_id: data.conversation_id ?? 'c',
    seq,
    sender_id: 'me',
    client_msg_id: data.client_msg_id,
    type: data.type,
    content: data.content,
    status: 'sent',
    created_at: 0,
    edited_at: null,
  };
}

function ack(call: Call | undefined, seq: number, duplicate = false): void {
  if (call === undefined) throw new Error('no such call');
  call.resolve({ message: message(call.data, seq), duplicate });
}

const text = (t: string, conversationId = 'c') => ({
  conversation_id: conversationId,
  type: 'text',
  content: { text: t },
});

/** Lets promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('Outbox', () => {
  it('waits while offline, then sends in order, one at a time per target', async () => {
    const { outbox, calls } = harness();
    const sent = [outbox.send(text('a')), outbox.send(text('b')), outbox.send(text('c'))];
    expect(calls).toHaveLength(0);
    expect(outbox.size).toBe(3);

    outbox.setOnline(true);
    expect(calls.map((c) => c.data.content.text)).toEqual(['a']);
    ack(calls[0], 1);
    await settle();
    expect(calls.map((c) => c.data.content.text)).toEqual(['a', 'b']);
    ack(calls[1], 2);
    await settle();
    ack(calls[2], 3);
    const replies = await Promise.all(sent);
    expect(replies.map((r) => r.message.seq)).toEqual([1, 2, 3]);
    expect(outbox.size).toBe(0);
  });

  it('sends to different targets without waiting for each other', () => {
    const { outbox, calls } = harness();
    outbox.setOnline(true);
    void outbox.send(text('a', 'one'));
    void outbox.send(text('b', 'two'));
    void outbox.send({ to_user_id: 'u', type: 'text', content: { text: 'c' } });
    void outbox.send(text('d', 'one'));
    expect(calls.map((c) => c.data.content.text)).toEqual(['a', 'b', 'c']);
  });

  it('keeps a given client_msg_id and makes one when there is none', () => {
    const { outbox, calls } = harness();
    outbox.setOnline(true);
    void outbox.send({ ...text('a', 'one'), client_msg_id: 'mine' });
    void outbox.send(text('b', 'two'));
    expect(calls.map((c) => c.data.client_msg_id)).toEqual(['mine', 'id-1']);
    expect(outbox.has('mine')).toBe(true);
  });

  it('after a lost connection resends every unacked message with the same id, in order', async () => {
    const { outbox, calls } = harness();
    outbox.setOnline(true);
    const first = outbox.send(text('a'));
    void outbox.send(text('b'));
    expect(calls).toHaveLength(1);

    outbox.setOnline(false);
    calls[0]?.reject(new ParleyError('UNAVAILABLE', 'connection closed', 0));
    await settle();
    expect(calls).toHaveLength(1);

    outbox.setOnline(true);
    expect(calls.map((c) => c.data.client_msg_id)).toEqual(['id-1', 'id-1']);
    ack(calls[1], 7, true);
    await settle();
    expect(calls.map((c) => c.data.client_msg_id)).toEqual(['id-1', 'id-1', 'id-2']);
    expect((await first).message.seq).toBe(7);
  });

  it('retries after a delay when the server is busy or does not answer', async () => {
    const { outbox, calls, timers, fireTimers } = harness();
    outbox.setOnline(true);
    const sent = outbox.send(text('a'));
    void outbox.send(text('b'));

    calls[0]?.reject(new ParleyError('RESOURCE_EXHAUSTED', 'slow down', 0));
    await settle();
    expect(timers.map((t) => t.delayMs)).toEqual([100]);
    expect(calls).toHaveLength(1);
    fireTimers();
    expect(calls.map((c) => c.data.client_msg_id)).toEqual(['id-1', 'id-1']);

    calls[1]?.reject(new ParleyError('UNAVAILABLE', 'no reply within 10000 ms', 0));
    await settle();
    expect(timers.map((t) => t.delayMs)).toEqual([200]);
    fireTimers();
    ack(calls[2], 1);
    expect((await sent).message.client_msg_id).toBe('id-1');
  });

  it('sends at once on reconnect instead of waiting out a retry delay', async () => {
    const { outbox, calls, timers } = harness();
    outbox.setOnline(true);
    void outbox.send(text('a'));
    calls[0]?.reject(new ParleyError('RESOURCE_EXHAUSTED', 'slow down', 0));
    await settle();
    outbox.setOnline(false);
    expect(timers[0]?.cancelled).toBe(true);
    outbox.setOnline(true);
    expect(calls).toHaveLength(2);
  });

  it('rejects on a definite error and moves on to the next message', async () => {
    const { outbox, calls } = harness();
    outbox.setOnline(true);
    const bad = outbox.send(text('a'));
    const good = outbox.send(text('b'));
    const error = new ParleyError('PERMISSION_DENIED', 'not a member', 0);
    calls[0]?.reject(error);
    await expect(bad).rejects.toBe(error);
    expect(outbox.has('id-1')).toBe(false);
    expect(calls.map((c) => c.data.client_msg_id)).toEqual(['id-1', 'id-2']);
    ack(calls[1], 1);
    await expect(good).resolves.toMatchObject({ message: { seq: 1 } });
  });

  it('treats only UNAVAILABLE and RESOURCE_EXHAUSTED as retryable', () => {
    expect(isRetryable(new ParleyError('UNAVAILABLE', '', 0))).toBe(true);
    expect(isRetryable(new ParleyError('RESOURCE_EXHAUSTED', '', 0))).toBe(true);
    for (const code of [
      'INVALID_ARGUMENT',
      'PERMISSION_DENIED',
      'NOT_FOUND',
      'FAILED_PRECONDITION',
      'UNAUTHENTICATED',
      'INTERNAL',
    ] as const) {
      expect(isRetryable(new ParleyError(code, '', 0))).toBe(false);
    }
    expect(isRetryable(new TypeError('bug'))).toBe(false);
  });

  it('refuses messages beyond its bound', async () => {
    const { outbox } = harness({ maxSize: 2 });
    void outbox.send(text('a'));
    void outbox.send(text('b'));
    await expect(outbox.send(text('c'))).rejects.toMatchObject({ code: 'RESOURCE_EXHAUSTED' });
    expect(outbox.size).toBe(2);
  });

  it('shares the fate of a message queued twice with the same id', async () => {
    const { outbox, calls } = harness();
    outbox.setOnline(true);
    const one = outbox.send({ ...text('a'), client_msg_id: 'x' });
    const two = outbox.send({ ...text('a'), client_msg_id: 'x' });
    expect(outbox.size).toBe(1);
    ack(calls[0], 4);
    expect((await one).message.seq).toBe(4);
    expect((await two).message.seq).toBe(4);
  });

  it('settles a waiting message found stored elsewhere, ignoring its late reply', async () => {
    const { outbox, calls } = harness();
    outbox.setOnline(true);
    const sent = outbox.send(text('a'));
    void outbox.send(text('b'));
    const data = calls[0]?.data;
    if (data === undefined) throw new Error('not sent');

    expect(outbox.settle('id-1', message(data, 9))).toBe(true);
    expect(outbox.settle('nope', message(data, 9))).toBe(false);
    await expect(sent).resolves.toEqual({ message: message(data, 9), duplicate: true });
    expect(calls.map((c) => c.data.client_msg_id)).toEqual(['id-1', 'id-2']);
    calls[0]?.reject(new ParleyError('UNAVAILABLE', 'late', 0));
    await settle();
    expect(calls).toHaveLength(2);
  });

  it('rejects everything on failAll', async () => {
    const { outbox, calls } = harness();
    outbox.setOnline(true);
    const a = outbox.send(text('a'));
    const b = outbox.send(text('b'));
    const error = new ParleyError('UNAVAILABLE', 'the client was closed', 0);
    outbox.failAll(error);
    await expect(a).rejects.toBe(error);
    await expect(b).rejects.toBe(error);
    expect(outbox.size).toBe(0);
    ack(calls[0], 1);
    await settle();
    expect(outbox.pending()).toEqual([]);
  });

  it('lists what is pending', () => {
    const { outbox } = harness();
    void outbox.send(text('a'));
    expect(outbox.pending()).toEqual([{ ...text('a'), client_msg_id: 'id-1' }]);
  });
});

describe('randomId', () => {
  it('makes UUIDs that fit client_msg_id', () => {
    const id = randomId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(randomId()).not.toBe(id);
  });
});
