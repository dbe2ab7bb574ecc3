import type {
  ChangesPage,
  ChangesQuery,
  Conversation,
  ConversationListQuery,
  ConversationPage,
  HistoryPage,
  HistoryQuery,
  Message,
  OpData,
  OpName,
  OpReply,
} from './types.js';

/** Page size of conversation walks: the protocol's largest. */
export const CONVERSATION_PAGE = 200;

/** The protocol's ops as methods, over any way of sending a request. */
export abstract class ParleyOps {
  /** Sends one op and resolves with its reply's data; rejects with ParleyError. */
  abstract request<K extends OpName>(
    op: K,
    data: OpData<K>,
    options?: { timeoutMs?: number },
  ): Promise<OpReply<K>>;

  /** A page of messages, ascending by seq (see "History" in docs/protocol.md). */
  history(
    conversationId: string,
    query: Omit<HistoryQuery, 'conversation_id'> = {},
  ): Promise<HistoryPage> {
    return this.request('message.history', { ...query, conversation_id: conversationId });
  }

  /** A page of the conversation's change log, ascending by change_seq. */
  changes(
    conversationId: string,
    query: Omit<ChangesQuery, 'conversation_id'> = {},
  ): Promise<ChangesPage> {
    return this.request('message.changes', { ...query, conversation_id: conversationId });
  }

  /** One page of the caller's conversations, most recent activity first. */
  conversationPage(query: ConversationListQuery = {}): Promise<ConversationPage> {
    return this.request('conversation.list', query);
  }

  /**
   * All of the caller's conversations, most recent activity first, read a page at a time.
   * A conversation that gets new activity during the walk moves ahead of it and may be
   * missing; `caught_up` (after a reconnect) accounts for those.
   */
  async conversations(): Promise<Conversation[]> {
    const all: Conversation[] = [];
    let cursor: string | null = null;
    do {
      const page: ConversationPage = await this.conversationPage(
        cursor === null ? { limit: CONVERSATION_PAGE } : { cursor, limit: CONVERSATION_PAGE },
      );
      all.push(...page.conversations);
      cursor = page.next_cursor ?? null; // a server without paging sends none
    } while (cursor !== null);
    return all;
  }

  async conversation(conversationId: string): Promise<Conversation> {
    const data = { conversation_id: conversationId };
    return (await this.request('conversation.get', data)).conversation;
  }

  /** The single conversation with `userId`, created on first use. */
  async createConversation(userId: string): Promise<Conversation> {
    return (await this.request('conversation.create', { user_id: userId })).conversation;
  }

  /** Joins a `world` conversation. */
  async join(conversationId: string): Promise<Conversation> {
    const data = { conversation_id: conversationId };
    return (await this.request('conversation.join', data)).conversation;
  }

  /** Moves the caller's read position forward to `seq`. */
  async markRead(conversationId: string, seq: number): Promise<void> {
    await this.request('conversation.read', { conversation_id: conversationId, seq });
  }

  /** Tells the peer that everything up to `seq` has arrived. */
  async delivered(conversationId: string, seq: number): Promise<void> {
    await this.request('message.delivered', { conversation_id: conversationId, seq });
  }

  /** Tells the other members that the caller is typing. */
  async typing(conversationId: string): Promise<void> {
    await this.request('typing', { conversation_id: conversationId });
  }

  /** Recalls one of the caller's messages (within the server's recall window). */
  async recall(conversationId: string, seq: number): Promise<Message> {
    const data = { conversation_id: conversationId, seq };
    return (await this.request('message.recall', data)).message;
  }

  /** Replaces the content of one of the caller's messages. */
  async edit(
    conversationId: string,
    seq: number,
    content: Record<string, unknown>,
  ): Promise<Message> {
    const data = { conversation_id: conversationId, seq, content };
    return (await this.request('message.edit', data)).message;
  }

  /** A round trip, for clients that cannot see WebSocket pings. */
  async ping(): Promise<void> {
    await this.request('ping', {});
  }
}
