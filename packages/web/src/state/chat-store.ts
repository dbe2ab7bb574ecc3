import type { ParleyClient } from '@parley/client';
import {
  randomId,
  type ConnectionState,
  type Conversation,
  type Message,
  type SendTarget,
  type User,
} from '@parley/client';
import { SocialApi } from '../api/social.js';
import { describeError, type Session } from '../api/session.js';
import {
  emptyThread,
  findBySeq,
  prepend,
  upsert,
  type ShownMessage,
  type Thread,
} from './thread.js';

/** How long a `typing` event shows, and how often the composer may send one. */
export const TYPING_SHOW_MS = 5_000;
const TYPING_EVERY_MS = 2_500;
const PAGE = 50;

export interface Notice {
  id: number;
  text: string;
}

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
  /** conversation → user → when their typing notice ends. */
  typing = new Map<string, Map<string, number>>();
  presence = new Map<string, boolean>();
  /** conversation → user → the seq that user has read / has received (others only). */
  reads = new Map<string, Map<string, number>>();
  delivered = new Map<string, Map<string, number>>();
  users = new Map<string, User>();
  activeId: string | undefined;
  notices: Notice[] = [];
  /** Bumped by friend and group events, so that open panels reload. */
  socialVersion = 0;
  readonly #listeners = new Set<() => void>();
  readonly #lastTypingSent = new Map<string, number>();
  readonly #userLookups = new Set<string>();
  #noticeId = 0;

  constructor(session: Session, client: ParleyClient) {
    this.session = session;
    this.client = client;
    this.social = new SocialApi(session);
    this.users.set(session.user.user_id, session.user);
  }

  get me(): User {
    return this.session.user;
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  changed(): void {
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
    c.on('message.new', ({ message }) => this.#onMessage(message));
    c.on('message.updated', ({ message, reason }) => {
      this.#onUpdate(message);
      if (reason !== undefined && message.sender_id === this.me.user_id) this.notify(reason);
    });
    c.on('message.partial', ({ message }) => this.#onUpdate(message));
    c.on('typing', ({ conversation_id, user_id }) => {
      const map = new Map(this.typing.get(conversation_id));
      map.set(user_id, Date.now() + TYPING_SHOW_MS);
      this.typing.set(conversation_id, map);
      this.changed();
      setTimeout(() => this.changed(), TYPING_SHOW_MS + 50);
    });
    c.on('presence', ({ user_id, online }) => {
      this.presence.set(user_id, online);
      this.changed();
    });
    c.on('conversation.read', ({ conversation_id, user_id, seq }) => {
      if (user_id === this.me.user_id) return this.#readHere(conversation_id, seq);
      this.#position(this.reads, conversation_id, user_id, seq);
    });
    c.on('conversation.delivered', ({ conversation_id, user_id, seq }) =>
      this.#position(this.delivered, conversation_id, user_id, seq),
    );
    c.on('event', ({ name, data }) => this.#onSocial(name, data));
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
  async loadOlder(id: string, first = false): Promise<void> {
    const thread = this.thread(id);
    if (thread.loading || (!first && (!thread.hasMore || !thread.loaded))) return;
    this.#setThread(id, { ...thread, loading: true });
    try {
      const before = first ? undefined : thread.stored[0]?.seq;
      const page = await this.client.history(id, {
        limit: PAGE,
        ...(before !== undefined && { before_seq: before }),
      });
      const current = this.thread(id);
      let stored = prepend(current.stored, page.messages);
      // Live messages that arrived while the first page was on its way sit after it.
      if (first) for (const m of current.stored) stored = upsert(stored, m);
      this.#setThread(id, {
        ...current,
        stored,
        hasMore: page.has_more,
        loading: false,
        loaded: true,
      });
      for (const m of page.messages) this.lookUpUser(m.sender_id);
      if (first) this.markRead(id);
    } catch (error) {
      this.#setThread(id, { ...this.thread(id), loading: false, error: describeError(error) });
    }
  }

  /** Sends through the SDK's outbox: shown at once as pending, then sent or failed. */
  send(id: string, type: string, content: Record<string, unknown>, clientMsgId = randomId()): void {
    const local: ShownMessage = {
      message_id: clientMsgId,
      conversation_id: id,
      seq: Number.MAX_SAFE_INTEGER,
      sender_id: this.me.user_id,
      client_msg_id: clientMsgId,
      type,
      content,
      status: 'pending',
      created_at: Date.now(),
      edited_at: null,
      local: 'pending',
    };
    this.#setUnsent(id, (unsent) => [
      ...unsent.filter((m) => m.client_msg_id !== clientMsgId),
      local,
    ]);
    const target: SendTarget = { conversation_id: id };
    this.client.send({ ...target, type, content, client_msg_id: clientMsgId }).then(
      (message) => {
        this.#setUnsent(id, (unsent) => unsent.filter((m) => m.client_msg_id !== clientMsgId));
        this.#onMessage(message);
        // What an extension generated with it (a red packet's notice) goes to the sender's
        // other connections, not this one: read it from history.
        if (type !== 'text') void this.#fetchAfter(id, message.seq);
      },
      (error: unknown) => {
        const failed = { ...local, local: 'failed' as const, error: describeError(error) };
        this.#setUnsent(id, (unsent) =>
          unsent.map((m) => (m.client_msg_id === clientMsgId ? failed : m)),
        );
      },
    );
  }

  /** Sends a failed message again, with the same client_msg_id (never a duplicate). */
  retry(message: ShownMessage): void {
    this.send(message.conversation_id, message.type, message.content, message.client_msg_id);
  }

  discard(message: ShownMessage): void {
    this.#setUnsent(message.conversation_id, (unsent) =>
      unsent.filter((m) => m.client_msg_id !== message.client_msg_id),
    );
  }

  async recall(message: ShownMessage): Promise<void> {
    try {
      this.#onUpdate(await this.client.recall(message.conversation_id, message.seq));
    } catch (error) {
      this.notify(`Could not recall: ${describeError(error)}`);
    }
  }

  async edit(message: ShownMessage, text: string): Promise<void> {
    try {
      this.#onUpdate(await this.client.edit(message.conversation_id, message.seq, { text }));
    } catch (error) {
      this.notify(`Could not edit: ${describeError(error)}`);
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

  /** Who is typing in a conversation now (user ids). */
  typingIn(id: string): string[] {
    const now = Date.now();
    return [...(this.typing.get(id) ?? new Map<string, number>())]
      .filter(([, until]) => until > now)
      .map(([user]) => user);
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

  /** A display name for a user id (looked up once when unknown). */
  nameOf(userId: string): string {
    if (userId === 'system') return 'System';
    const user = this.users.get(userId);
    if (user !== undefined) return user.nickname || user.username || 'Guest';
    this.lookUpUser(userId);
    return '…';
  }

  lookUpUser(userId: string): void {
    if (userId === 'system' || this.users.has(userId) || this.#userLookups.has(userId)) return;
    this.#userLookups.add(userId);
    this.social.user(userId).then(
      (user) => {
        this.users.set(userId, user);
        this.changed();
      },
      () => this.#userLookups.delete(userId),
    );
  }

  rememberUsers(users: readonly User[]): void {
    for (const user of users) this.users.set(user.user_id, user);
  }

  notify(text: string): void {
    const notice = { id: ++this.#noticeId, text };
    this.notices = [...this.notices.slice(-3), notice];
    this.changed();
    setTimeout(() => this.dismiss(notice.id), 6_000);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
    this.changed();
  }

  #setConversations(list: readonly Conversation[]): void {
    this.conversations = new Map(list.map((c) => [c.conversation_id, c]));
    for (const c of list) if (c.peer !== null) this.users.set(c.peer.user_id, c.peer);
    if (this.activeId !== undefined) this.markRead(this.activeId);
    this.changed();
  }

  #onMessage(message: Message): void {
    const id = message.conversation_id;
    const thread = this.threads.get(id);
    if (thread?.loaded) {
      const last = thread.stored.at(-1)?.seq;
      if (last !== undefined && message.seq > last + 1) void this.#fetchAfter(id, last);
      // Ours from another device, or after a reconnect: no longer unsent here either.
      const unsent = thread.unsent.filter((m) => m.client_msg_id !== message.client_msg_id);
      this.#setThread(id, { ...thread, stored: upsert(thread.stored, message), unsent });
    }
    this.lookUpUser(message.sender_id);
    const c = this.conversations.get(id);
    if (c === undefined) {
      void this.#fetchConversation(id);
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
    if (!mine) void this.client.delivered(id, message.seq).catch(() => undefined);
    if (this.activeId === id) this.markRead(id);
    this.changed();
  }

  #onUpdate(message: Message): void {
    const id = message.conversation_id;
    const thread = this.threads.get(id);
    if (
      thread?.loaded &&
      (findBySeq(thread.stored, message.seq) || message.seq > (thread.stored.at(-1)?.seq ?? 0))
    ) {
      this.#setThread(id, { ...thread, stored: upsert(thread.stored, message) });
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

  /** Reads the messages after `seq` into a loaded thread (a gap, or generated messages). */
  async #fetchAfter(id: string, seq: number): Promise<void> {
    try {
      const page = await this.client.history(id, { after_seq: seq, limit: 100 });
      const thread = this.threads.get(id);
      if (thread === undefined || !thread.loaded) return;
      let stored = thread.stored;
      for (const m of page.messages) stored = upsert(stored, m);
      this.#setThread(id, { ...thread, stored });
    } catch {
      // Offline: the catch-up after the reconnect brings them.
    }
  }

  async #fetchConversation(id: string): Promise<void> {
    try {
      const c = await this.client.conversation(id);
      this.conversations.set(id, c);
      if (c.peer !== null) this.users.set(c.peer.user_id, c.peer);
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

  #position(map: Map<string, Map<string, number>>, id: string, user: string, seq: number): void {
    const inner = new Map(map.get(id));
    inner.set(user, Math.max(seq, inner.get(user) ?? 0));
    map.set(id, inner);
    this.changed();
  }

  #onSocial(name: string, data: unknown): void {
    this.socialVersion += 1;
    const d = data as {
      request?: { from_user_id?: string };
      invitation?: { group_name?: string };
      conversation_id?: string;
      user_id?: string;
      reason?: string;
    };
    if (name === 'friend.request' && d.request?.from_user_id !== this.me.user_id) {
      this.notify(`New friend request from ${this.nameOf(d.request?.from_user_id ?? '')}`);
    } else if (name === 'group.invited') {
      this.notify(`You are invited to the group ${d.invitation?.group_name ?? ''}`);
    } else if (name === 'group.member_joined' && d.conversation_id !== undefined) {
      if (!this.conversations.has(d.conversation_id))
        void this.#fetchConversation(d.conversation_id);
    } else if (name === 'group.member_left' && d.user_id === this.me.user_id && d.conversation_id) {
      if (d.reason === 'kicked') this.notify('You were removed from a group.');
      this.leaveConversation(d.conversation_id);
    } else if (name === 'group.dissolved' && d.conversation_id !== undefined) {
      this.leaveConversation(d.conversation_id);
    }
    this.changed();
  }

  #setThread(id: string, thread: Thread): void {
    this.threads.set(id, thread);
    this.changed();
  }

  #setUnsent(id: string, change: (unsent: ShownMessage[]) => ShownMessage[]): void {
    const thread = this.thread(id);
    this.#setThread(id, { ...thread, unsent: change(thread.unsent) });
  }
}
