import { MsgStatus } from '@parley/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accept,
  ExtError,
  ExtRejection,
  parsePayload,
  reject,
  serveExtension,
  text,
  type RunningExtension,
} from '../src/index.js';
import { waitUntil } from './support/etcd.js';
import {
  callHandleAsync,
  contentOf,
  extClient,
  request,
  startCallbackServer,
  type CallbackServer,
} from './support/grpc.js';

describe('async types: the reply reaches ExtCallbackService.Complete', () => {
  let parley: CallbackServer;
  let ext: RunningExtension;
  let rpc: ReturnType<typeof extClient>;
  let runs = 0;
  const replyErrors: unknown[] = [];

  beforeAll(async () => {
    parley = await startCallbackServer();
    ext = await serveExtension({
      types: {
        echo: {
          mode: 'async',
          handleAsync: async (msg, reply) => {
            runs += 1;
            const { words } = parsePayload(msg) as { words: string[] };
            if (!Array.isArray(words)) throw new ExtRejection('words must be a list');
            if (words.includes('boom')) throw new Error('model crashed');
            if (words.includes('refuse')) return reject('not today');
            for (let i = 1; i < words.length; i++) {
              await reply.partial(text(words.slice(0, i).join(' ')));
            }
            try {
              await reply.complete(text(words.join(' ')));
            } catch (err) {
              replyErrors.push(err);
            }
          },
        },
        returns: { mode: 'async', handleAsync: () => accept(text('returned')) },
      },
      callback: { timeoutMs: 1_000, attempts: 2 },
    });
    rpc = extClient(ext.addr);
  });

  afterAll(async () => {
    rpc.close();
    await ext.close();
    await parley.close();
  });

  const send = (
    content: unknown,
    extra: { msgId?: string; requestId?: string; token?: string } = {},
  ) => {
    const req = request('echo', content, { ...extra, callback: parley.addr });
    return { req, ack: callHandleAsync(rpc, req) };
  };

  it('acks at once, streams partial results, then completes with MSG_SUCCESS', async () => {
    const { req, ack } = send(
      { words: ['one', 'two', 'three'] },
      { requestId: 'req-stream', token: 'tok-stream' },
    );
    expect(await ack).toEqual({ requestId: 'req-stream', accepted: true });
    const calls = await parley.final(req.message!.msgId);
    expect(calls.map((c) => c.status)).toEqual([
      MsgStatus.MSG_PENDING,
      MsgStatus.MSG_PENDING,
      MsgStatus.MSG_SUCCESS,
    ]);
    expect(calls.map((c) => contentOf(c.generated[0]!))).toEqual([
      { text: 'one' },
      { text: 'one two' },
      { text: 'one two three' },
    ]);
    // One growing message: the same id in every call.
    expect(new Set(calls.map((c) => c.generated[0]!.msgId))).toEqual(
      new Set([`${req.message!.msgId}-g0`]),
    );
    // Every result carries the call's callback token back as metadata.
    const tokens = parley.tokens.filter((_, i) => parley.calls[i]!.msgId === req.message!.msgId);
    expect(tokens).toEqual(['tok-stream', 'tok-stream', 'tok-stream']);
    for (const call of calls) {
      expect(call).toMatchObject({ requestId: 'req-stream', msgId: req.message!.msgId });
      expect(call.generated[0]).toMatchObject({ msgType: 'text', conversation: 'c_1' });
    }
  });

  it('completes with a returned result', async () => {
    const req = request('returns', {}, { callback: parley.addr });
    await callHandleAsync(rpc, req);
    const [call] = await parley.final(req.message!.msgId);
    expect(call).toMatchObject({ status: MsgStatus.MSG_SUCCESS, reason: '' });
    expect(contentOf(call!.generated[0]!)).toEqual({ text: 'returned' });
  });

  it('completes MSG_REJECTED when the handler refuses, MSG_FAILED when it fails', async () => {
    const refused = send({ words: ['refuse'] });
    const thrown = send({ words: 'x' });
    const failed = send({ words: ['boom'] });
    await Promise.all([refused.ack, thrown.ack, failed.ack]);
    expect(await parley.final(refused.req.message!.msgId)).toMatchObject([
      { status: MsgStatus.MSG_REJECTED, reason: 'not today', generated: [] },
    ]);
    expect(await parley.final(thrown.req.message!.msgId)).toMatchObject([
      { status: MsgStatus.MSG_REJECTED, reason: 'words must be a list' },
    ]);
    const [failure] = await parley.final(failed.req.message!.msgId);
    expect(failure).toMatchObject({ status: MsgStatus.MSG_FAILED });
    expect(failure!.reason).not.toContain('model crashed');
  });

  it('acks a repeated msg_id without running the handler again, and resends the result', async () => {
    const first = send(
      { words: ['only', 'once'] },
      { msgId: 'async-dup', requestId: 'r-1', token: 't-1' },
    );
    await first.ack;
    await parley.final('async-dup');
    const before = runs;
    const again = send(
      { words: ['only', 'once'] },
      { msgId: 'async-dup', requestId: 'r-2', token: 't-2' },
    );
    expect(await again.ack).toEqual({ requestId: 'r-2', accepted: true });
    const resent = await waitUntil('the final result under the new request id', () =>
      parley.calls.find((c) => c.msgId === 'async-dup' && c.requestId === 'r-2'),
    );
    expect(resent.status).toBe(MsgStatus.MSG_SUCCESS);
    // Under the latest call's token too.
    expect(parley.tokens[parley.calls.indexOf(resent)]).toBe('t-2');
    expect(contentOf(resent.generated[0]!)).toEqual({ text: 'only once' });
    expect(runs).toBe(before);
  });

  it('runs a message that ended in MSG_FAILED again when it is retried', async () => {
    const before = runs;
    const first = send({ words: ['boom'] }, { msgId: 'async-boom', requestId: 'b-1' });
    await first.ack;
    await parley.final('async-boom');
    const again = send({ words: ['boom'] }, { msgId: 'async-boom', requestId: 'b-2' });
    await again.ack;
    await waitUntil('the second failure', () =>
      parley.calls.find((c) => c.msgId === 'async-boom' && c.requestId === 'b-2'),
    );
    expect(runs - before).toBe(2);
  });

  it('tells the handler when Parley refuses the result (ok: false)', async () => {
    parley.answerOk = false;
    try {
      const { req, ack } = send({ words: ['unwanted'] });
      await ack;
      await parley.final(req.message!.msgId);
      const err = await waitUntil('the reply to fail', () => replyErrors.pop());
      expect(err).toBeInstanceOf(ExtError);
      expect((err as ExtError).code).toBe('CALLBACK_FAILED');
    } finally {
      parley.answerOk = true;
    }
  });

  it('tells the handler when the callback address cannot be reached', async () => {
    const gone = await startCallbackServer();
    await gone.close();
    const req = request('echo', { words: ['lost'] }, { callback: gone.addr });
    await callHandleAsync(rpc, req);
    const err = await waitUntil('the reply to fail', () => replyErrors.pop());
    expect((err as ExtError).code).toBe('CALLBACK_FAILED');
  });
});
