/**
 * Continuous sends for fault tests: each sender keeps a few sends in flight, round its target
 * conversations, until stopped, and every send is retried with its client_msg_id until it is
 * acknowledged or its time runs out. The counts say what the senders were told.
 */
import type { Ack, RoamingClient } from './roaming-client.js';

export interface Sent {
  readonly sender: string;
  readonly conversationId: string;
  readonly clientMsgId: string;
  /** Undefined when the send was never acknowledged. */
  readonly ack: Ack | undefined;
}

export interface TrafficOptions {
  /** Sends each sender keeps in flight (default 2). */
  readonly window?: number;
  /** Pause after each answered send, to leave the machine some room (default 20 ms). */
  readonly pauseMs?: number;
  /** How long one message is retried before it counts as not acknowledged (default 20 s). */
  readonly giveUpMs?: number;
  /** Most messages per sender, whatever happens (default 3,000). */
  readonly maxPerSender?: number;
}

export interface TrafficCounts {
  readonly sent: number;
  readonly acked: number;
  /** Acknowledged only after one or more retries with the same client_msg_id. */
  readonly retried: number;
  /** Acknowledged with duplicate: true (the first attempt had been stored). */
  readonly duplicateAnswers: number;
  /** Given up on: never acknowledged. */
  readonly unacked: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Traffic {
  readonly sent: Sent[] = [];
  #stopping = false;
  readonly #loops: Promise<void>[] = [];

  constructor(
    private readonly senders: readonly { client: RoamingClient; targets: readonly string[] }[],
    private readonly options: TrafficOptions = {},
  ) {}

  start(): this {
    const window = this.options.window ?? 2;
    for (const { client, targets } of this.senders) {
      let next = 0;
      const take = () => (next < (this.options.maxPerSender ?? 3_000) ? next++ : undefined);
      for (let i = 0; i < window; i++) this.#loops.push(this.#loop(client, targets, take));
    }
    return this;
  }

  async #loop(
    client: RoamingClient,
    targets: readonly string[],
    take: () => number | undefined,
  ): Promise<void> {
    for (let n = take(); n !== undefined && !this.#stopping; n = take()) {
      const conversationId = targets[n % targets.length] as string;
      const clientMsgId = `${client.name}-${n}`;
      const ack = await client.send(conversationId, clientMsgId, `#${n}`, this.options.giveUpMs);
      this.sent.push({ sender: client.name, conversationId, clientMsgId, ack });
      await sleep(this.options.pauseMs ?? 20);
    }
  }

  /** Acknowledged sends so far. */
  acked(): number {
    return this.sent.filter((s) => s.ack !== undefined).length;
  }

  /** Ends the loops once their sends in flight are answered or given up. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#loops);
  }

  counts(): TrafficCounts {
    const acks = this.sent.flatMap((s) => (s.ack === undefined ? [] : [s.ack]));
    return {
      sent: this.sent.length,
      acked: acks.length,
      retried: acks.filter((a) => a.attempts > 1).length,
      duplicateAnswers: acks.filter((a) => a.duplicate).length,
      unacked: this.sent.length - acks.length,
    };
  }

  /** conversation id → client_msg_id → acknowledged seq. */
  ackedByConversation(): Map<string, Map<string, number>> {
    const result = new Map<string, Map<string, number>>();
    for (const { conversationId, clientMsgId, ack } of this.sent) {
      if (ack === undefined) continue;
      let ids = result.get(conversationId);
      if (ids === undefined) result.set(conversationId, (ids = new Map()));
      ids.set(clientMsgId, ack.seq);
    }
    return result;
  }
}
