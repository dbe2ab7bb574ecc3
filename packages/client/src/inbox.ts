import { catchUp, type CatchUpDeps } from './catch-up.js';
import type { ClientEvents } from './client-options.js';
import type { Emitter } from './emitter.js';
import type { Outbox } from './outbox.js';
import type { SeqTracker } from './seq-tracker.js';
import type {
  ChangesPage,
  Conversation,
  HistoryPage,
  HistoryQuery,
  Message,
  MessageSendReply,
  MessageUpdatedData,
  OpName,
} from './types.js';

type HeldEvent = ['message.new', Message] | ['message.updated', MessageUpdatedData];

export interface InboxDeps {
  tracker: SeqTracker;
  outbox: Outbox;
  emitter: Emitter<ClientEvents>;
  /** The connected user's id, to recognise our own messages. */
  userId(): string | undefined;
}

/**
 * Where server events and replies meet the seq tracker: message events are emitted once
 * each, in seq order, whether they arrive live or through a catch-up pass.
 */
export class Inbox {
  readonly #deps: InboxDeps;
  /** Live message events that arrive during catch-up wait here, to keep seq order. */
  #held: HeldEvent[] | undefined;

  constructor(deps: InboxDeps) {
    this.#deps = deps;
  }

  /** Routes one server event (after `ready`) to the app. */
  onServerEvent(name: string, data: unknown): void {
    const payload = data as Partial<MessageUpdatedData> | undefined;
    switch (name) {
      case 'message.new':
      case 'message.updated': {
        if (!isMessage(payload?.message)) return;
        if (name === 'message.updated' && (payload as { partial?: unknown }).partial === true) {
          // A streamed partial result is outside the change log: shown as it grows, never
          // caught up (the final result is a change that is).
          this.#deps.emitter.emit('message.partial', { message: payload.message });
          return;
        }
        if (name === 'message.updated' && typeof payload?.change_seq !== 'number') return;
        const event = [name, name === 'message.new' ? payload.message : payload] as HeldEvent;
        if (this.#held !== undefined) this.#held.push(event);
        else this.#deliver(event);
        return;
      }
      case 'conversation.read':
      case 'conversation.delivered':
      case 'typing':
      case 'presence':
        this.#deps.emitter.emit(name, data as ClientEvents[typeof name]);
        return;
      case 'ready':
        return; // a second `ready` says nothing new
      default:
        // Friends, groups and events newer than this SDK: passed on as they came.
        this.#deps.emitter.emit('event', { name, data });
        return;
    }
  }

  /** Lets the tracker learn from a reply the app asked for. */
  observeReply(op: OpName, data: unknown, reply: unknown): void {
    const { tracker } = this.#deps;
    if (op === 'message.send') {
      const { message } = reply as MessageSendReply;
      tracker.observeMessage(message.conversation_id, message.seq);
    } else if (op === 'message.history') {
      const query = data as HistoryQuery;
      const seqs = (reply as HistoryPage).messages.map((message) => message.seq);
      tracker.observeHistory(query.conversation_id, seqs, query.after_seq);
    } else if (op === 'message.changes') {
      for (const change of (reply as ChangesPage).changes) {
        tracker.observeChange(change.conversation_id, change.change_seq);
      }
    }
  }

  /**
   * One catch-up pass over `request`. Live message events wait until it ends, so that
   * each conversation's messages come out in seq order.
   */
  async catchUp(request: CatchUpDeps['request']): Promise<Conversation[]> {
    const held: HeldEvent[] = [];
    this.#held = held;
    try {
      return await catchUp({
        request,
        tracker: this.#deps.tracker,
        deliverMessage: (message) => this.#deliver(['message.new', message]),
        deliverChange: (change) => this.#deliver(['message.updated', change]),
      });
    } finally {
      if (this.#held === held) this.#held = undefined;
      for (const event of held.splice(0)) this.#deliver(event);
    }
  }

  #deliver(event: HeldEvent): void {
    const { tracker, outbox, emitter } = this.#deps;
    if (event[0] === 'message.updated') {
      const data = event[1];
      if (tracker.observeChange(data.message.conversation_id, data.change_seq)) {
        emitter.emit('message.updated', data);
      }
      return;
    }
    const message = event[1];
    if (!tracker.observeMessage(message.conversation_id, message.seq)) return;
    // After a reconnect, a message of ours whose ack was lost shows up in history: it
    // completes its send rather than appearing as someone's new message.
    const mine = message.sender_id === this.#deps.userId();
    if (mine && outbox.settle(message.client_msg_id, message)) return;
    emitter.emit('message.new', { message });
  }
}

function isMessage(value: unknown): value is Message {
  const message = value as Partial<Message> | undefined;
  return typeof message?.conversation_id === 'string' && typeof message.seq === 'number';
}
