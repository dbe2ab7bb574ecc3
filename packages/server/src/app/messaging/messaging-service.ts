import { groupConversationId } from '../../domain/conversation.js';
import { invalidArgument, appError } from '../../domain/errors.js';
import { CLIENT_MSG_ID_PATTERN, type NewMessage } from '../../domain/message.js';
import type { AppendResult } from '../../ports/messaging-store.js';
import type { Store } from '../../ports/store.js';
import type { Clock, Ids } from '../../ports/system.js';
import { encodeAnyContent, encodeContent, isBuiltInType } from '../../protocol/message-content.js';
import { RawJson } from '../../protocol/ws-frames.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { ConversationRef } from './access.js';
import type { ConversationService } from './conversation-service.js';
import type { ExtensionFlow } from './extension-flow.js';
import type { Fanout } from './fanout.js';
import type { PostingRules } from './posting-rules.js';
import type { SendPolicy } from './send-policy.js';
import { GroupCommitter, type GroupCommitOptions } from './group-commit.js';
import { storedSendResult, type SendResult } from './send-result.js';

export interface SendInput {
  readonly conversationId?: string | undefined;
  readonly toUserId?: string | undefined;
  readonly groupId?: string | undefined;
  readonly clientMsgId: string;
  readonly type: string;
  readonly content: unknown;
}

/** The connection a request came on, so its own events are not echoed back to it. */
export interface Origin {
  readonly connectionId?: string | undefined;
  /** The user whose connection it is (then only that user's topic carries the exception). */
  readonly connectionUserId?: string | undefined;
  /** The W3C trace id of the request, passed on to extension calls. */
  readonly traceId?: string | undefined;
}

export interface MessagingOptions extends GroupCommitOptions {
  readonly maxContentBytes: number;
}

export interface MessagingDeps {
  readonly store: Store;
  readonly conversations: ConversationService;
  readonly fanout: Fanout;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly policy: SendPolicy;
  /** Who may post into an existing conversation (shared with edits). */
  readonly posting: PostingRules;
  /** Types that are not built in go to extension services through this. */
  readonly extensions: ExtensionFlow;
}

/**
 * The send path (docs/architecture.md, "The message path"): validate, authorise, group-commit
 * (idempotency and seq in the store's transaction), then answer and fan out.
 */
export class MessagingService {
  readonly #deps: MessagingDeps;
  readonly #options: MessagingOptions;
  readonly #committer: GroupCommitter<NewMessage, AppendResult>;

  constructor(deps: MessagingDeps, options: MessagingOptions) {
    this.#deps = deps;
    this.#options = options;
    this.#committer = new GroupCommitter(
      (batch) => deps.store.messages.appendBatch(batch),
      options,
    );
  }

  async send(auth: AuthContext, input: SendInput, origin: Origin = {}): Promise<SendResult> {
    if (!CLIENT_MSG_ID_PATTERN.test(input.clientMsgId)) {
      throw invalidArgument(
        'client_msg_id must be 1–64 characters of letters, digits, "_", ".", ":" or "-".',
        'client_msg_id',
      );
    }
    if (!isBuiltInType(input.type)) return this.#sendExtension(auth, input, origin);
    const content = encodeContent(input.type, input.content, this.#options.maxContentBytes);
    const conversation = await this.#target(auth, input);
    const result = await this.#committer.submit({
      id: this.#deps.ids.next(),
      conversationId: conversation.id,
      senderId: auth.userId,
      clientMsgId: input.clientMsgId,
      type: input.type,
      content,
      status: 'sent',
      createdAt: this.#deps.clock.now(),
    });
    const sent = storedSendResult(result.message, result.duplicate);
    if (!result.duplicate) {
      const data = new RawJson(`{"message":${sent.messageJson}}`);
      const about = { messageId: result.message.id, seq: result.message.seq };
      this.#deps.fanout.toConversation(conversation, 'message.new', data, origin, about);
    }
    return sent;
  }

  async #sendExtension(auth: AuthContext, input: SendInput, origin: Origin): Promise<SendResult> {
    const content = encodeAnyContent(input.type, input.content, this.#options.maxContentBytes);
    this.#deps.extensions.assertKnown(input.type);
    const conversation = await this.#target(auth, input);
    const { message, duplicate } = await this.#deps.extensions.send(auth, {
      conversation,
      clientMsgId: input.clientMsgId,
      type: input.type,
      content,
      origin: origin.connectionId,
      traceId: origin.traceId,
    });
    return { message, duplicate, messageJson: JSON.stringify(message) };
  }

  /** Resolves when every accepted send has been written (call before closing the store). */
  drain(): Promise<void> {
    return this.#committer.idle();
  }

  /** Messages waiting for the next group commit (for metrics and tests). */
  get pendingCommits(): number {
    return this.#committer.pending;
  }

  async #target(auth: AuthContext, input: SendInput): Promise<ConversationRef> {
    const given = [input.conversationId, input.toUserId, input.groupId].filter(
      (v) => v !== undefined,
    );
    if (given.length !== 1) {
      throw invalidArgument('Give exactly one of conversation_id, to_user_id or group_id.');
    }
    if (input.toUserId !== undefined) {
      await this.#deps.policy.assertCanMessage(auth, input.toUserId);
      const { id } = await this.#deps.conversations.ensureSingle(auth.userId, input.toUserId);
      return { id, type: 'single' };
    }
    const id = input.conversationId ?? groupConversationId(input.groupId as string);
    const ref = await this.#deps.posting.requirePoster(auth, id);
    if (input.groupId !== undefined && ref.type !== 'group') {
      throw appError('GROUP_NOT_FOUND', 'No group with that id.');
    }
    return ref;
  }
}
