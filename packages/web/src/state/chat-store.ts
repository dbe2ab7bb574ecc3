import type { ParleyClient } from '@parley/client';
import {
  randomId,
  type ConnectionState,
  type Conversation,
  type Message,
  type User,
} from '@parley/client';
import { SocialApi } from '../api/social.js';
import { describeError, type Session } from '../api/session.js';
import { emptyThread, findBySeq, upsert, type ShownMessage, type Thread } from './thread.js';
import { fetchAfter, loadOlder } from './history.js';
import { Notices } from './notices.js';
import { sendMessage } from './outgoing.js';
import { People } from './people.js';
import { Receipts } from './receipts.js';
import { onSocialEvent } from './social-events.js';

/** How often the composer may send a `typing`. */
const TYPING_EVERY_MS = 2_500;

/**
 * Everything the app shows, kept current from the SDK's events. Components read it and
 * re-render on `subscribe`; changes replace objects, never mutate them in place.
 */
export class ChatStore {
  readonly client: ParleyClient;
  readonly social: SocialApi;
  readonly session: Session;
  connection: ConnectionState = 'connecting';
  /** Set after a reconnect until the catch-up pass ends. */
  catchingUp = false;
  conversations = new Map<string, Conversation>();
  listError: string | undefined;
  threads = new Map<string, Thread>();
  readonly people: People;
  readonly receipts: Receipts;
  readonly notices: Notices;
  activeId: string | undefined;
  /** Bumped by friend and group events, so that open panels reload. */
  socialVersion = 0;
  readonly #listeners = new Set<() => void>();
  readonly #lastTypingSent = new Map<string, number>();

  constructor(session: Session, client: ParleyClient) {
    this.session = session;
    this.client = client;
    this.social = new SocialApi(session);
    const changed = () => this.changed();
    this.people = new People(this.social, changed);
    this.people.remember([session.user]);
    this.receipts = new Receipts(changed);
    this.notices = new Notices(changed);
  }

  get me(): User {
    return this.session.user;
  }

  /** Counts changes: a component that subscribes after rendering knows whether it missed one. */
  version = 0;

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  changed(): void {
    this.version++;
    for (const listener of [...this.#listeners]) listener();
  }

  /** Connects and loads the conversation list; events keep everything current from then on. */
  async start(): Promise<void> {
    const c = this.client;
    c.on('state', (state) => {
      if (state === 'reconnecting') this.catchingUp = true;
      this.connection = state;
      this.changed();
    });
    c.on('caught_up', ({ conversations }) => {
      this.catchingUp = false;
      this.#setConversations(conversations);
    });
    c.on('message.new', ({ message }) => this.applyMessage(message));
    c.on('message.updated', ({ message, reason }) => {
      this.applyUpdate(message);
      if (reason !== undefined && message.sender_id === this.me.user_id)
        this.notices.notify(reason);
    });
    c.on('message.partial', ({ message }) => this.applyUpdate(message));
    c.on('typing', ({ conversation_id, user_id }) =>
      this.receipts.typing(conversation_id, user_id),
    );
    c.on('presence', ({ user_id, online }) => this.people.setPresence(user_id, online));
    c.on('conversation.read', ({ conversation_id, user_id, seq }) => {
      if (user_id === this.me.user_id) this.#readHere(conversation_id, seq);
      else this.receipts.read(conversation_id, user_id, seq);
    });
    c.on('conversation.delivered', ({ conversation_id, user_id, seq }) =>
      this.receipts.received(conversation_id, user_id, seq),
    );
    c.on('event', ({ name, data }) => onSocialEvent(this, name, data));
    c.on('error', () => {
      // Failed reconnect attempts and catch-up passes are retried by the SDK; the banner shows it.
    });
    await c.connect();
    await this.reloadConversations();
  }

  async reloadConversations(): Promise<void> {
    try {
      this.#setConversations(await this.client.conversations());
      this.listError = undefined;
    } catch (error) {
      this.listError = describeError(error);
    }
    this.changed();
  }

  /** Conversations by most recent activity. */
  sortedConversations(): Conversation[] {
    const at = (c: Conversation) => c.last_message?.created_at ?? c.created_at;
    return [...this.conversations.values()].sort((a, b) => at(b) - at(a));
  }

  thread(id: string): Thread {
    return this.threads.get(id) ?? emptyThread();
  }

  open(id: string | undefined): void {
    this.activeId = id;
    this.changed();
    if (id === undefined) return;
    if (!this.thread(id).loaded) void this.loadOlder(id, true);
    else this.markRead(id);
  }

  /** Loads the page before the oldest loaded message (or the newest page, first time). */
  loadOlder(id: string, first = false): Promise<void> {
    return loadOlder(this, id, first);
  }

  /** Reads the messages after `seq` into a loaded thread (a gap, or generated messages). */
  fetchAfter(id: string, seq: number): Promise<void> {
    return fetchAfter(this, id, seq);
  }

  /** Sends through the SDK's outbox: shown at once as pending, then sent or failed. */
  send(id: string, type: string, content: Record<string, unknown>, clientMsgId = randomId()): void {
    sendMessage(this, { id, type, content, clientMsgId });
  }

  /** Sends a failed message again, with the same client_msg_id (never a duplicate). */
  retry(message: ShownMessage): void {
    this.send(message.conversation_id, message.type, message.content, message.client_msg_id);
  }

  discard(message: ShownMessage): void {
    this.setUnsent(message.conversation_id, (unsent) =>
      unsent.filter((m) => m.client_msg_id !== message.client_msg_id),
    );
  }

  async recall(message: ShownMessage): Promise<void> {
    try {
      this.applyUpdate(await this.client.recall(message.conversation_id, message.seq));
    } catch (error) {
      this.notices.notify(`Could not recall: ${describeError(error)}`);
    }
  }

  async edit(message: ShownMessage, text: string): Promise<void> {
    try {
      this.applyUpdate(await this.client.edit(message.conversation_id, message.seq, { text }));
    } catch (error) {
      this.notices.notify(`Could not edit: ${describeError(error)}`);
    }
  }

  /** Tells the others that the user is typing, at most every few seconds. */
  typed(id: string): void {
    const now = Date.now();
    if (now - (this.#lastTypingSent.get(id) ?? 0) < TYPING_EVERY_MS) return;
    this.#lastTypingSent.set(id, now);
    this.client.typing(id).catch(() => {
      // Refused (muted, blocked) or offline: typing notices are best effort.
    });
  }

  markRead(id: string): void {
    const c = this.conversations.get(id);
    if (c === undefined || document.visibilityState === 'hidden') return;
    const seq = Math.max(c.max_seq, this.thread(id).stored.at(-1)?.seq ?? 0);
    if (seq <= c.read_seq && c.unread_count === 0) return;
    this.#readHere(id, seq);
    this.client.markRead(id, seq).catch(() => {
      // Offline: the count comes back from the server after the catch-up.
    });
  }

  /** Adds a conversation the user has just made or joined, and opens it. */
  addAndOpen(conversation: Conversation): void {
    this.conversations.set(conversation.conversation_id, conversation);
    this.open(conversation.conversation_id);
  }

  leaveConversation(id: string): void {
    this.conversations.delete(id);
    this.threads.delete(id);
    if (this.activeId === id) this.activeId = undefined;
    this.changed();
  }

  #setConversations(list: readonly Conversation[]): void {
    this.conversations = new Map(list.map((c) => [c.conversation_id, c]));
    for (const c of list) if (c.peer !== null) this.people.remember([c.peer]);
    if (this.activeId !== undefined) this.markRead(this.activeId);
    this.changed();
  }

  applyMessage(message: Message): void {
    const id = message.conversation_id;
    const thread = this.threads.get(id);
    if (thread?.loaded) {
      const last = thread.stored.at(-1)?.seq;
      if (last !== undefined && message.seq > last + 1) void this.fetchAfter(id, last);
      // Ours from another device, or after a reconnect: no longer unsent here either.
      const unsent = thread.unsent.filter((m) => m.client_msg_id !== message.client_msg_id);
      this.setThread(id, { ...thread, stored: upsert(thread.stored, message), unsent });
    }
    this.people.lookUp(message.sender_id);
    this.receipts.stopTyping(id, message.sender_id);
    const c = this.conversations.get(id);
    if (c === undefined) {
      void this.fetchConversation(id);
      return;
    }
    const mine = message.sender_id === this.me.user_id;
    const newer = message.seq > c.max_seq;
    this.conversations.set(id, {
      ...c,
      max_seq: Math.max(c.max_seq, message.seq),
      last_message: newer || c.last_message === null ? message : c.last_message,
      unread_count: c.unread_count + (newer && !mine ? 1 : 0),
      read_seq: mine && newer ? message.seq : c.read_seq,
    });
    // Delivery receipts are for one-to-one conversations (the server tells the peer only).
    if (!mine && c.type === 'single') {
      void this.client.delivered(id, message.seq).catch(() => undefined);
    }
    if (this.activeId === id) this.markRead(id);
    this.changed();
  }

  applyUpdate(message: Message): void {
    const id = message.conversation_id;
    const thread = this.threads.get(id);
    if (
      thread?.loaded &&
      (findBySeq(thread.stored, message.seq) || message.seq > (thread.stored.at(-1)?.seq ?? 0))
    ) {
      this.setThread(id, { ...thread, stored: upsert(thread.stored, message) });
    }
    const c = this.conversations.get(id);
    if (c !== undefined && (c.last_message?.seq === message.seq || message.seq > c.max_seq)) {
      this.conversations.set(id, {
        ...c,
        last_message: message,
        max_seq: Math.max(c.max_seq, message.seq),
      });
    }
    this.changed();
  }

  async fetchConversation(id: string): Promise<void> {
    try {
      const c = await this.client.conversation(id);
      this.conversations.set(id, c);
      if (c.peer !== null) this.people.remember([c.peer]);
      this.changed();
    } catch {
      // Not a member (any more): nothing to show.
    }
  }

  #readHere(id: string, seq: number): void {
    const c = this.conversations.get(id);
    if (c === undefined || seq < c.read_seq) return;
    const unread = c.max_seq > seq ? c.unread_count : 0;
    this.conversations.set(id, { ...c, read_seq: seq, unread_count: unread });
    this.changed();
  }

  setThread(id: string, thread: Thread): void {
    this.threads.set(id, thread);
    this.changed();
  }

  setUnsent(id: string, change: (unsent: ShownMessage[]) => ShownMessage[]): void {
    const thread = this.thread(id);
    this.setThread(id, { ...thread, unsent: change(thread.unsent) });
  }
}
