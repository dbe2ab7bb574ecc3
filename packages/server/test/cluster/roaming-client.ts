/**
 * A WebSocket client for fault tests that does what a real client does: when its connection
 * drops it reconnects to another gateway, catches up by seq (conversation.list, then
 * message.history after the last seq it holds without a gap), and retries the sends that got
 * no answer with the same client_msg_id. It remembers every (conversation, seq) it holds and
 * how it got it, and counts the live frames it already had.
 */
import WebSocket from 'ws';
import type { Account } from './cluster-client.js';

/** How a message reached the client: a live frame, a history page, or its own send's ack. */
export type Via = 'live' | 'history' | 'own';

export interface Ack {
  readonly seq: number;
  readonly messageId: string;
  /** The server had it already: a retry of a send whose answer was lost. */
  readonly duplicate: boolean;
  /** Sends made with this client_msg_id (1 when the first one was answered). */
  readonly attempts: number;
}

export interface RoamingStats {
  /** Connections opened after the first. */
  reconnects: number;
  /** Live frames of a (conversation, seq) already received live. */
  liveDuplicates: number;
  /** Live frames of a (conversation, seq) already read from history or acked to this client. */
  liveAfterCatchUp: number;
  /** Messages first read from history. */
  caughtUp: number;
  /** Sends made again with the same client_msg_id. */
  retries: number;
  /** Close codes of the connections that dropped. */
  closeCodes: number[];
  /** Error codes of the send answers, by code. */
  sendErrors: Record<string, number>;
}

/** Answers a send may be retried after, as @parley/client's outbox does; others are final. */
const RETRYABLE = new Set(['UNAVAILABLE', 'RESOURCE_EXHAUSTED']);

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const REQUEST_TIMEOUT_MS = 5_000;
const RECONNECT_DEADLINE_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RoamingClient {
  readonly stats: RoamingStats = {
    reconnects: 0,
    liveDuplicates: 0,
    liveAfterCatchUp: 0,
    caughtUp: 0,
    retries: 0,
    closeCodes: [],
    sendErrors: {},
  };
  /** conversation id → seq → how it came. */
  readonly seen = new Map<string, Map<number, Via>>();
  #ws: WebSocket | undefined;
  #gateway = 0;
  #ready: Promise<void>;
  #reconnecting = false;
  #closed = false;
  #nextId = 1;
  readonly #pending = new Map<string, { resolve: (f: Json) => void; reject: (e: Error) => void }>();

  private constructor(
    readonly name: string,
    readonly account: Account,
    private readonly gateways: readonly string[],
    first: number,
  ) {
    this.#gateway = first;
    this.#ready = this.#open(gateways[first] as string);
  }

  /** Connects to `gateways[first]`; on a drop it moves to the next gateway in the list. */
  static async connect(
    name: string,
    account: Account,
    gateways: readonly string[],
    first = 0,
  ): Promise<RoamingClient> {
    const client = new RoamingClient(name, account, gateways, first);
    await client.#ready;
    return client;
  }

  /** The gateway the client is on (or trying). */
  gateway(): string {
    return this.gateways[this.#gateway] as string;
  }

  /** Whether the current connection is open. */
  isOpen(): boolean {
    return this.#ws?.readyState === WebSocket.OPEN;
  }

  /** Resolves once connected (and caught up, after a reconnect). */
  ready(): Promise<void> {
    return this.#ready;
  }

  /**
   * Sends a text message, retrying with the same client_msg_id over drops, unanswered attempts
   * and retryable errors until it is acknowledged; undefined when `giveUpMs` passed without an
   * ack, or at once on an error that is final.
   */
  async send(
    conversationId: string,
    clientMsgId: string,
    text: string,
    giveUpMs = 20_000,
  ): Promise<Ack | undefined> {
    const deadline = Date.now() + giveUpMs;
    for (let attempts = 1; ; attempts++) {
      if (attempts > 1) this.stats.retries++;
      try {
        await this.#ready;
        const reply = await this.#request('message.send', {
          conversation_id: conversationId,
          client_msg_id: clientMsgId,
          type: 'text',
          content: { text },
        });
        if (reply.ok === true) {
          const { message, duplicate } = reply.data;
          this.#record(conversationId, message.seq, 'own');
          return { seq: message.seq, messageId: message.message_id, duplicate, attempts };
        }
        const code = String(reply.error?.code);
        this.stats.sendErrors[code] = (this.stats.sendErrors[code] ?? 0) + 1;
        if (!RETRYABLE.has(code)) return undefined;
      } catch {
        // Dropped or unanswered: try again with the same client_msg_id.
      }
      if (Date.now() > deadline) return undefined;
      await sleep(100);
    }
  }

  /** Whether the client holds every seq of `seqs` in the conversation. */
  holds(conversationId: string, seqs: Iterable<number>): boolean {
    const held = this.seen.get(conversationId);
    for (const seq of seqs) if (held?.has(seq) !== true) return false;
    return true;
  }

  /** Walks conversation.list, then pages message.history after the last seq held without a gap. */
  async catchUp(): Promise<void> {
    const maxSeqs = new Map<string, number>();
    let cursor: string | null = null;
    do {
      const page: Json = await this.#call('conversation.list', {
        limit: 200,
        ...(cursor !== null && { cursor }),
      });
      for (const c of page.conversations) maxSeqs.set(c.conversation_id, c.max_seq);
      cursor = page.next_cursor;
    } while (cursor !== null);
    for (const [conversationId, maxSeq] of maxSeqs) {
      let after = this.#contiguous(conversationId);
      while (after < maxSeq) {
        const page: Json = await this.#call('message.history', {
          conversation_id: conversationId,
          after_seq: after,
          limit: 100,
        });
        for (const m of page.messages) this.#record(conversationId, m.seq, 'history');
        after = page.messages.at(-1)?.seq ?? maxSeq;
        if (page.has_more !== true) break;
      }
    }
  }

  close(): void {
    this.#closed = true;
    this.#ws?.close();
  }

  /** The highest seq up to which the client holds every message. */
  #contiguous(conversationId: string): number {
    const held = this.seen.get(conversationId);
    let seq = 0;
    while (held?.has(seq + 1) === true) seq++;
    return seq;
  }

  #record(conversationId: string, seq: number, via: Via): void {
    let held = this.seen.get(conversationId);
    if (held === undefined) this.seen.set(conversationId, (held = new Map()));
    const before = held.get(seq);
    if (via === 'live' && before === 'live') this.stats.liveDuplicates++;
    else if (via === 'live' && before !== undefined) this.stats.liveAfterCatchUp++;
    else if (via === 'history' && before === undefined) this.stats.caughtUp++;
    if (before === undefined) held.set(seq, via);
  }

  async #call(op: string, data: unknown): Promise<Json> {
    const reply = await this.#request(op, data);
    if (reply.ok !== true) throw new Error(`${op}: ${reply.error?.code} ${reply.error?.message}`);
    return reply.data;
  }

  #request(op: string, data: unknown): Promise<Json> {
    const ws = this.#ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN) {
      return Promise.reject(new Error('not connected'));
    }
    const id = `r${this.#nextId++}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${op}: no answer in ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      const settle = (f: () => void) => {
        clearTimeout(timer);
        this.#pending.delete(id);
        f();
      };
      this.#pending.set(id, {
        resolve: (frame) => settle(() => resolve(frame)),
        reject: (err) => settle(() => reject(err)),
      });
      ws.send(JSON.stringify({ id, op, data }));
    });
  }

  /** Opens a connection and waits for `ready`; a drop later starts #reconnect. */
  #open(gateway: string): Promise<void> {
    const url = `${gateway.replace(/^http/, 'ws')}/v1/ws`;
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.account.access_token}` },
    });
    this.#ws = ws;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`no ready from ${gateway}`));
      }, REQUEST_TIMEOUT_MS);
      ws.on('error', () => {});
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as Json;
        if (frame.event === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (frame.event === 'message.new') {
          this.#record(frame.data.message.conversation_id, frame.data.message.seq, 'live');
        } else if (frame.id !== undefined && frame.event === undefined) {
          this.#pending.get(String(frame.id))?.resolve(frame);
        }
      });
      ws.on('close', (code) => {
        clearTimeout(timer);
        reject(new Error(`${gateway} closed the connection (${code})`));
        if (this.#ws !== ws) return;
        this.stats.closeCodes.push(code);
        for (const pending of [...this.#pending.values()]) {
          pending.reject(new Error('connection closed'));
        }
        if (this.#closed || this.#reconnecting) return;
        this.#ready = this.#reconnect();
        // Awaited by the next send or ready(); a client that gives up must not crash the run.
        this.#ready.catch(() => {});
      });
    });
  }

  /** To the next gateway (round the list), then catch up; bounded in time. */
  async #reconnect(): Promise<void> {
    this.#reconnecting = true;
    const deadline = Date.now() + RECONNECT_DEADLINE_MS;
    try {
      while (!this.#closed) {
        this.#gateway = (this.#gateway + 1) % this.gateways.length;
        try {
          await this.#open(this.gateway());
          this.stats.reconnects++;
          await this.catchUp();
          if (this.isOpen()) return;
        } catch {
          this.#ws?.terminate();
        }
        if (Date.now() > deadline) throw new Error(`${this.name} could not reconnect`);
        await sleep(100 + Math.random() * 100);
      }
    } finally {
      this.#reconnecting = false;
    }
  }
}
