import WebSocket from 'ws';
import { ERROR_CODES } from '../../src/domain/errors.js';
import type { Rng } from './prng.js';
import type { Tally } from './tally.js';
import {
  deepJson,
  excessiveDepth,
  fieldValue,
  mustRefuseForDepth,
  randomJson,
  randomString,
} from './values.js';

/** Real ids the cases may use. */
export interface WsTargets {
  readonly conversationId: string;
  readonly userId: string;
  readonly groupId: string;
}

export interface WsCase {
  /** What goes on the wire. */
  readonly frame: string | Buffer;
  /**
   * The id the reply must carry: the request's, or null when the frame has none usable;
   * undefined where either is right (an envelope refused as a whole may not be read for its id).
   */
  readonly replyId: string | number | null | undefined;
  /** The id the frame was sent with. */
  readonly requestId?: string | number;
  /** The frame nests too deep for Parley to accept it (mustRefuseForDepth). */
  readonly deep?: boolean;
  /** The frame is over the limit: the only case where a close (1009) is the answer. */
  readonly oversized: boolean;
}

const FIELDS = [
  'conversation_id',
  'to_user_id',
  'group_id',
  'user_id',
  'client_msg_id',
  'type',
  'content',
  'seq',
  'before_seq',
  'after_seq',
  'after_change_seq',
  'limit',
];

function data(rng: Rng, t: WsTargets): unknown {
  if (rng.chance(0.15)) return randomJson(rng);
  const object: Record<string, unknown> = {};
  for (let i = rng.int(0, 6); i > 0; i -= 1) {
    const field = rng.pick(FIELDS);
    object[field] = fieldValue(rng, () => {
      if (field.endsWith('seq') || field === 'limit') return rng.int(-2, 200);
      if (field === 'type') return rng.pick(['text', 'custom', 'image', 'location', 'x.y', 'BAD']);
      if (field === 'content') return { text: randomString(rng), data: randomJson(rng) };
      if (field === 'client_msg_id') return `f${rng.int(0, 1e9)}`;
      return rng.pick([t.conversationId, t.userId, t.groupId, 'w_lobby', randomString(rng, 30)]);
    });
  }
  return object;
}

/** One malformed (or nearly right) frame. */
export function wsCase(
  rng: Rng,
  ops: readonly string[],
  t: WsTargets,
  index: number,
  maxFrameBytes: number,
): WsCase {
  const id = rng.chance(0.5) ? `c${index}` : index;
  const mode = rng.int(0, 99);
  const op = rng.chance(0.9) ? rng.pick(ops) : randomString(rng, 20);
  const known = ops.includes(op);
  if (mode < 55) {
    return {
      frame: JSON.stringify({ id, op, data: data(rng, t) }),
      replyId: known ? id : undefined,
      requestId: id,
      oversized: false,
    };
  }
  if (mode < 65) {
    const deep = deepJson(rng, excessiveDepth(rng));
    const frame = rng.chance(0.5)
      ? `{"id":${JSON.stringify(id)},"op":${JSON.stringify(op)},"data":{"conversation_id":"${t.conversationId}","client_msg_id":"d${index}","type":"custom","content":{"data":${deep}}}}`
      : `{"id":${JSON.stringify(id)},"op":${JSON.stringify(op)},"data":${deep}}`;
    return {
      frame,
      replyId: undefined,
      requestId: id,
      deep: mustRefuseForDepth(frame, op === 'message.send' || op === 'message.edit'),
      oversized: Buffer.byteLength(frame) > maxFrameBytes,
    };
  }
  if (mode < 72) {
    // Not JSON, or JSON that is not a request object: the reply's id is null.
    const text = JSON.stringify(randomJson(rng));
    const frame = rng.pick([
      text.slice(0, -1) || '{',
      randomString(rng, 100),
      '[]',
      '42',
      'null',
      `"${op}"`,
      '{"op":""}',
      '{"id":{},"op":"ping"}',
    ]);
    let replyId: string | number | null = null;
    try {
      const parsed = JSON.parse(frame) as { id?: unknown; op?: unknown };
      // A frame that parses to a request keeps its id in the reply.
      if (
        parsed !== null &&
        typeof parsed === 'object' &&
        !Array.isArray(parsed) &&
        typeof parsed.op === 'string' &&
        parsed.op !== '' &&
        (typeof parsed.id === 'string' || typeof parsed.id === 'number')
      )
        replyId = parsed.id;
    } catch {
      replyId = null;
    }
    return { frame, replyId, oversized: false };
  }
  if (mode < 80) {
    // Right envelope, wrong field types.
    const envelope: Record<string, unknown> = { id, op };
    envelope[rng.pick(['data', 'op', 'extra'])] = randomJson(rng);
    return { frame: JSON.stringify(envelope), replyId: undefined, requestId: id, oversized: false };
  }
  if (mode < 88)
    return {
      frame: Buffer.from(Uint8Array.from({ length: rng.int(0, 512) }, () => rng.int(0, 255))),
      replyId: null,
      oversized: false,
    };
  if (mode < 90) {
    return {
      frame: `{"id":"${id}","op":"ping","data":{"pad":"${'x'.repeat(maxFrameBytes)}"}}`,
      replyId: id,
      oversized: true,
    };
  }
  return { frame: JSON.stringify({ id, op: 'ping', data: {} }), replyId: id, oversized: false };
}

/** A connection that sends one frame at a time and reads the reply (events are skipped). */
export class FuzzConnection {
  readonly #ws: WebSocket;
  #waiter: ((reply: { frame?: unknown; close?: number }) => void) | undefined;
  #closed: number | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.on('message', (raw) => {
      let frame: unknown;
      try {
        frame = JSON.parse(raw.toString());
      } catch {
        frame = { unparsable: raw.toString().slice(0, 200) };
      }
      if ((frame as { event?: unknown }).event !== undefined) return;
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter?.({ frame });
    });
    ws.on('close', (code) => {
      this.#closed = code;
      const waiter = this.#waiter;
      this.#waiter = undefined;
      waiter?.({ close: code });
    });
    ws.on('error', () => {});
  }

  static open(baseUrl: string, token: string): Promise<FuzzConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/ws`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const connection = new FuzzConnection(ws);
      ws.once('message', () => resolve(connection)); // the ready event
      ws.once('error', reject);
    });
  }

  get closed(): boolean {
    return this.#closed !== undefined;
  }

  exchange(
    frame: string | Buffer,
    timeoutMs = 15_000,
  ): Promise<{ frame?: unknown; close?: number }> {
    if (this.#closed !== undefined) return Promise.resolve({ close: this.#closed });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        resolve({});
      }, timeoutMs);
      this.#waiter = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
      this.#ws.send(frame, { binary: typeof frame !== 'string' });
    });
  }

  close(): void {
    this.#ws.close();
  }
}

/**
 * Sends a case and checks the invariants: a reply in the protocol's shape with the request's
 * id, never INTERNAL, and the connection left open, unless the frame was over the limit
 * (then a 1009 close is the answer).
 */
export async function runWsCase(
  connection: FuzzConnection,
  c: WsCase,
  tally: Tally,
): Promise<void> {
  const label = (typeof c.frame === 'string' ? c.frame : `<binary ${c.frame.length} bytes>`).slice(
    0,
    160,
  );
  const answer = await connection.exchange(c.frame);
  if (answer.close !== undefined) {
    tally.answer(`close ${answer.close}`);
    if (!(c.oversized && answer.close === 1009)) tally.fail('closed', `${answer.close} ← ${label}`);
    return;
  }
  if (c.oversized) {
    tally.fail(
      'oversized frame answered',
      `${JSON.stringify(answer.frame).slice(0, 200)} ← ${label}`,
    );
    return;
  }
  if (answer.frame === undefined) {
    tally.fail('no reply', label);
    return;
  }
  const reply = answer.frame as {
    id?: unknown;
    ok?: unknown;
    error?: { code?: unknown; message?: unknown };
  };
  tally.answer(reply.ok === true ? 'ok' : String(reply.error?.code));
  const idOk =
    c.replyId === undefined
      ? reply.id === null || reply.id === c.requestId
      : reply.id === c.replyId;
  if (reply.ok === true) {
    if (c.deep === true)
      tally.fail('deep accepted', `${JSON.stringify(reply).slice(0, 200)} ← ${label}`);
    else if (!idOk) tally.fail('shape', `${JSON.stringify(reply).slice(0, 200)} ← ${label}`);
    return;
  }
  const shaped =
    reply.ok === false &&
    idOk &&
    (ERROR_CODES as readonly unknown[]).includes(reply.error?.code) &&
    typeof reply.error?.message === 'string' &&
    reply.error.message.length > 0;
  if (!shaped) tally.fail('shape', `${JSON.stringify(reply).slice(0, 200)} ← ${label}`);
  else if (reply.error?.code === 'INTERNAL')
    tally.fail('INTERNAL', `${JSON.stringify(reply).slice(0, 200)} ← ${label}`);
}
