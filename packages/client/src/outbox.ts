import { ParleyError } from './errors.js';
import type { Message, MessageSendData, MessageSendReply, SendTarget } from './types.js';

/** A message to send; `client_msg_id` is generated when absent. */
export type SendInput = SendTarget & {
  type: string;
  content: Record<string, unknown>;
  client_msg_id?: string;
};

export interface OutboxOptions {
  /** Sends one `message.send`; rejects with ParleyError for an error reply or a lost connection. */
  transmit: (data: MessageSendData) => Promise<MessageSendReply>;
  /** Most messages waiting at once; more are refused with RESOURCE_EXHAUSTED. Default 1000. */
  maxSize?: number;
  /** Wait before retrying after a retryable error on a live connection (attempt 0, 1, …). */
  retryDelayMs?: (attempt: number) => number;
  /** Makes a `client_msg_id`; defaults to a random UUID. */
  newId?: () => string;
  /** Runs `callback` after `delayMs` and returns a cancel function; injectable for tests. */
  schedule?: (callback: () => void, delayMs: number) => () => void;
}

interface Entry {
  readonly data: MessageSendData;
  readonly lane: string;
  readonly promise: Promise<MessageSendReply>;
  readonly resolve: (reply: MessageSendReply) => void;
  readonly reject: (error: unknown) => void;
  inFlight: boolean;
  /** Retries so far on the current connection, for the retry delay. */
  attempts: number;
  cancelRetry: (() => void) | undefined;
}

/**
 * Messages that are not yet durably stored, and the rules for getting them stored exactly
 * once: every message keeps its `client_msg_id` across retries, so the server's idempotency
 * turns a retry of a message that was in fact stored into a no-op.
 *
 * Messages to the same target form a lane and go one at a time: the server numbers messages
 * in the order it stores them, and only waiting for each ack keeps a retried message from
 * being overtaken by the ones after it. Different targets do not wait for each other.
 */
export class Outbox {
  readonly #transmit: OutboxOptions['transmit'];
  readonly #maxSize: number;
  readonly #retryDelayMs: (attempt: number) => number;
  readonly #newId: () => string;
  readonly #schedule: NonNullable<OutboxOptions['schedule']>;
  readonly #lanes = new Map<string, Entry[]>();
  readonly #byId = new Map<string, Entry>();
  #online = false;

  constructor(options: OutboxOptions) {
    this.#transmit = options.transmit;
    this.#maxSize = options.maxSize ?? 1000;
    this.#retryDelayMs = options.retryDelayMs ?? (() => 1000);
    this.#newId = options.newId ?? randomId;
    this.#schedule = options.schedule ?? defaultSchedule;
  }

  /** Messages waiting for their ack. */
  get size(): number {
    return this.#byId.size;
  }

  /** The waiting messages, oldest first within each target. */
  pending(): MessageSendData[] {
    return [...this.#lanes.values()].flat().map((entry) => entry.data);
  }

  has(clientMsgId: string): boolean {
    return this.#byId.has(clientMsgId);
  }

  /**
   * Queues a message; resolves once the server has stored it. Rejects for a definite error
   * reply, when the outbox is full, or when `failAll` is called.
   */
  send(input: SendInput): Promise<MessageSendReply> {
    const data = {
      ...input,
      client_msg_id: input.client_msg_id ?? this.#newId(),
    } as MessageSendData;
    // The same id is the same message by the server's rules: share its fate.
    const existing = this.#byId.get(data.client_msg_id);
    if (existing !== undefined) return existing.promise;
    if (this.#byId.size >= this.#maxSize) {
      const message = `the outbox holds ${this.#maxSize} unsent messages already`;
      return Promise.reject(new ParleyError('RESOURCE_EXHAUSTED', message, 0));
    }
    let resolve!: (reply: MessageSendReply) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<MessageSendReply>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const lane = laneOf(data);
    const entry: Entry = {
      data,
      lane,
      promise,
      resolve,
      reject,
      inFlight: false,
      attempts: 0,
      cancelRetry: undefined,
    };
    this.#byId.set(data.client_msg_id, entry);
    const queue = this.#lanes.get(lane);
    if (queue === undefined) this.#lanes.set(lane, [entry]);
    else queue.push(entry);
    this.#pump(lane);
    return promise;
  }

  /**
   * Tells whether a connection is up. Going online sends the head of every lane at once,
   * with no delay: a new connection has a fresh rate limit and nothing in flight.
   */
  setOnline(online: boolean): void {
    this.#online = online;
    for (const entry of this.#byId.values()) {
      entry.cancelRetry?.();
      entry.cancelRetry = undefined;
      entry.attempts = 0;
    }
    if (online) for (const lane of [...this.#lanes.keys()]) this.#pump(lane);
  }

  /**
   * Completes a waiting message that the client learned was stored some other way (found
   * in history after a reconnect). Returns false when no such message is waiting.
   */
  settle(clientMsgId: string, message: Message): boolean {
    const entry = this.#byId.get(clientMsgId);
    if (entry === undefined) return false;
    this.#finish(entry);
    entry.resolve({ message, duplicate: true });
    return true;
  }

  /** Rejects every waiting message with `error` and empties the outbox. */
  failAll(error: unknown): void {
    const entries = [...this.#byId.values()];
    this.#byId.clear();
    this.#lanes.clear();
    for (const entry of entries) {
      entry.cancelRetry?.();
      entry.reject(error);
    }
  }

  #pump(lane: string): void {
    const head = this.#lanes.get(lane)?.[0];
    if (head === undefined || head.inFlight || head.cancelRetry !== undefined || !this.#online) {
      return;
    }
    head.inFlight = true;
    let sent: Promise<MessageSendReply>;
    try {
      sent = this.#transmit(head.data);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (reply) => {
        if (this.#byId.get(head.data.client_msg_id) !== head) return;
        this.#finish(head);
        head.resolve(reply);
      },
      (error: unknown) => this.#failed(head, error),
    );
  }

  #failed(entry: Entry, error: unknown): void {
    // Settled meanwhile (found in history, or failAll): this answer no longer matters.
    if (this.#byId.get(entry.data.client_msg_id) !== entry) return;
    entry.inFlight = false;
    if (!isRetryable(error)) {
      this.#finish(entry);
      entry.reject(error);
      return;
    }
    // Offline: setOnline(true) sends it again on the next connection.
    if (!this.#online) return;
    const delay = this.#retryDelayMs(entry.attempts);
    entry.attempts += 1;
    entry.cancelRetry = this.#schedule(() => {
      entry.cancelRetry = undefined;
      this.#pump(entry.lane);
    }, delay);
  }

  /** Removes a message from the outbox and lets the next one of its lane go. */
  #finish(entry: Entry): void {
    entry.cancelRetry?.();
    entry.cancelRetry = undefined;
    this.#byId.delete(entry.data.client_msg_id);
    const queue = this.#lanes.get(entry.lane);
    if (queue === undefined) return;
    const index = queue.indexOf(entry);
    if (index >= 0) queue.splice(index, 1);
    if (queue.length === 0) this.#lanes.delete(entry.lane);
    else this.#pump(entry.lane);
  }
}

/**
 * Whether a send may succeed if tried again: the connection was lost or timed out
 * (UNAVAILABLE) or the rate limit was hit (RESOURCE_EXHAUSTED). Every other answer is
 * definite, including INTERNAL, because retrying a bug would block the lane forever.
 */
export function isRetryable(error: unknown): boolean {
  return (
    error instanceof ParleyError &&
    (error.code === 'UNAVAILABLE' || error.code === 'RESOURCE_EXHAUSTED')
  );
}

function laneOf(data: MessageSendData): string {
  if (data.conversation_id !== undefined) return `c:${data.conversation_id}`;
  if (data.to_user_id !== undefined) return `u:${data.to_user_id}`;
  return `g:${data.group_id ?? ''}`;
}

/** A random UUID; also where `crypto.randomUUID` is missing (plain-http pages). */
export function randomId(): string {
  if (typeof globalThis.crypto.randomUUID === 'function') return globalThis.crypto.randomUUID();
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function defaultSchedule(callback: () => void, delayMs: number): () => void {
  const timer = setTimeout(callback, delayMs);
  return () => clearTimeout(timer);
}
