import type { ConversationType } from '../../domain/conversation.js';
import {
  EXT_SCENE,
  EXT_STATUS,
  foreignGenerated,
  generatedClientMsgId,
  generatedMessageId,
  type GeneratedMessage,
} from '../../domain/extension.js';
import {
  SYSTEM_SENDER_ID,
  toPublicMessage,
  type MessageRecord,
  type MessageStatus,
  type NewMessage,
} from '../../domain/message.js';
import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';
import { encodeAnyContent, encodeContent, isBuiltInType } from '../../protocol/message-content.js';
import type { ConversationAccess } from './access.js';
import type { Fanout } from './fanout.js';

/** The message status an extension's status number means once the message is settled. */
export function settledStatus(status: number): MessageStatus {
  switch (status) {
    case EXT_STATUS.failed:
      return 'failed';
    case EXT_STATUS.rejected:
      return 'rejected';
    default:
      return 'sent';
  }
}

/**
 * Applies what extensions return: generated messages (ids derived from the parent, so a
 * replay stores nothing twice), streamed partial results, and a pending message's final
 * status. Everything it changes is pushed to the conversation.
 */
export class ExtensionResults {
  readonly #deps: {
    store: Store;
    access: ConversationAccess;
    fanout: Fanout;
    clock: Clock;
    onInvalid: (reason: string) => void;
  };
  readonly #maxContentBytes: number;

  constructor(
    deps: {
      store: Store;
      access: ConversationAccess;
      fanout: Fanout;
      clock: Clock;
      onInvalid: (reason: string) => void;
    },
    maxContentBytes: number,
  ) {
    this.#deps = deps;
    this.#maxContentBytes = maxContentBytes;
  }

  /**
   * The rows for generated messages: the invalid ones, and those naming another conversation
   * or another sender (domain/extension.ts foreignGenerated), are dropped and reported.
   */
  generatedRows(
    parent: { id: string; conversationId: string; senderId: string },
    generated: readonly GeneratedMessage[],
    status: MessageStatus,
  ): NewMessage[] {
    const rows: NewMessage[] = [];
    generated.forEach((g, i) => {
      const type = g.msgType || 'custom';
      const foreign = foreignGenerated(parent, g);
      if (foreign !== undefined) {
        this.#deps.onInvalid(`generated message ${i} of ${parent.id}: ${foreign}`);
        return;
      }
      try {
        const parsed: unknown = JSON.parse(g.payload);
        const content = isBuiltInType(type)
          ? encodeContent(type, parsed, this.#maxContentBytes)
          : encodeAnyContent(type, parsed, this.#maxContentBytes);
        rows.push({
          id: generatedMessageId(parent.id, i),
          conversationId: parent.conversationId,
          // A SCENE_SYSTEM notice is the system's, not the sender's (a red packet's "Alice
          // sent a red packet" is not Alice speaking).
          senderId: g.scene === EXT_SCENE.system ? SYSTEM_SENDER_ID : parent.senderId,
          clientMsgId: generatedClientMsgId(parent.id, i),
          type,
          content,
          status,
          createdAt: this.#deps.clock.now(),
        });
      } catch (err) {
        this.#deps.onInvalid(`generated message ${i} of ${parent.id}: ${(err as Error).message}`);
      }
    });
    return rows;
  }

  /**
   * Stores messages in one transaction and announces the new ones. The first row is the one
   * the `origin` connection's reply carries, so that connection is skipped for it alone: the
   * messages an extension generated reach it like everyone else.
   */
  async store(
    conversation: { id: string; type: ConversationType },
    rows: NewMessage[],
    origin?: string,
  ): Promise<MessageRecord[]> {
    const results = await this.#deps.store.messages.appendBatch(rows);
    results.forEach((result, i) => {
      if (result.duplicate) return;
      this.#deps.fanout.toConversation(
        conversation,
        'message.new',
        { message: toPublicMessage(result.message) },
        i === 0 ? { connectionId: origin } : {},
      );
    });
    return results.map((r) => r.message);
  }

  /** A partial result: generated messages stored (pending) at first, then updated in place. */
  async stream(parent: MessageRecord, generated: readonly GeneratedMessage[]): Promise<void> {
    const ref = await this.#deps.access.find(parent.conversationId);
    for (const row of this.generatedRows(parent, generated, 'pending')) {
      const existing = await this.#deps.store.messages.findById(row.id);
      if (existing === undefined) {
        await this.store(ref, [row]);
        continue;
      }
      const updated = await this.#deps.store.messages.updatePendingContent(row.id, row.content);
      if (updated !== undefined) {
        this.#deps.fanout.toConversation(ref, 'message.updated', {
          message: toPublicMessage(updated),
          partial: true,
        });
      }
    }
  }

  /**
   * The final result: generated messages committed (a streamed one gets its final content and
   * keeps its seq), the parent's status settled. Idempotent: settled messages are left alone.
   */
  async settle(
    parent: MessageRecord,
    status: MessageStatus,
    generated: readonly GeneratedMessage[],
    reason?: string,
  ): Promise<void> {
    const ref = await this.#deps.access.find(parent.conversationId);
    const rows = status === 'sent' ? this.generatedRows(parent, generated, 'sent') : [];
    for (const row of rows) {
      const existing = await this.#deps.store.messages.findById(row.id);
      if (existing === undefined) await this.store(ref, [row]);
      else if (existing.status === 'pending')
        await this.#change(ref, existing, 'sent', row.content);
    }
    const current = await this.#deps.store.messages.findById(parent.id);
    if (current?.status === 'pending') await this.#change(ref, current, status, undefined, reason);
  }

  async #change(
    ref: { id: string; type: ConversationType },
    message: MessageRecord,
    status: MessageStatus,
    content?: string,
    reason?: string,
  ) {
    const applied = await this.#deps.store.messages.applyChange(
      message.conversationId,
      message.seq,
      { kind: 'status', status, ...(content !== undefined && { content }) },
      this.#deps.clock.now(),
    );
    if (applied !== undefined) {
      this.#deps.fanout.toConversation(ref, 'message.updated', {
        message: toPublicMessage(applied.message),
        change_seq: applied.change.changeSeq,
        ...(reason && { reason: reason.slice(0, 500) }),
      });
    }
  }
}
