import type { ConversationType } from '../../domain/conversation.js';
import { singleConversationMembers } from '../../domain/conversation.js';
import { AppError, notFound } from '../../domain/errors.js';
import {
  CALLBACK_TAG,
  EXT_STATUS,
  foreignGenerated,
  type ExtEnvelope,
  type GeneratedMessage,
} from '../../domain/extension.js';
import {
  toPublicMessage,
  type MessageRecord,
  type MessageStatus,
  type PublicMessage,
} from '../../domain/message.js';
import type { CallbackTokens } from '../../ports/extensions.js';
import type { Store } from '../../ports/store.js';
import type { Clock, Ids } from '../../ports/system.js';
import type { AuthContext } from '../accounts/auth-context.js';
import type { ConversationAccess } from './access.js';
import type { ExtensionGateway } from './extension-gateway.js';
import { settledStatus, type ExtensionResults } from './extension-results.js';

export interface ExtensionSend {
  readonly conversation: { readonly id: string; readonly type: ConversationType };
  readonly clientMsgId: string;
  readonly type: string;
  /** The content's JSON text, already checked for shape and size. */
  readonly content: string;
  readonly origin?: string | undefined;
}

export interface Completion {
  readonly msgId: string;
  /** The callback token the caller sent back (empty when it sent none). */
  readonly token: string;
  readonly status: number;
  /** Why the service failed or refused it (passed on to the members). */
  readonly reason?: string | undefined;
  readonly generated: readonly GeneratedMessage[];
}

export interface ExtensionFlowDeps {
  readonly store: Store;
  readonly access: ConversationAccess;
  readonly gateway: ExtensionGateway;
  readonly results: ExtensionResults;
  readonly clock: Clock;
  readonly ids: Ids;
  /** host:port of Parley's ExtCallbackService, put in every async call's tags. */
  readonly callbackAddr: () => string;
  /** Checks the token a Complete carries (the router puts one in every async call). */
  readonly callbackTokens: Pick<CallbackTokens, 'verify'>;
  readonly onError: (err: unknown, context: string) => void;
}

type SendResult = { message: PublicMessage; duplicate: boolean };

/**
 * Extension messages (seed 000) on the send path. Sync types are handled before storing:
 * accepted ones are stored with their generated messages in one transaction, refused ones are
 * not stored. Async types are stored pending, delivered, and settled by `complete`. When the
 * service cannot be reached the type's degrade policy decides: reject, skip (deliver as a
 * plain message) or passthrough (stored pending, handled when the service is back).
 */
export class ExtensionFlow {
  readonly #deps: ExtensionFlowDeps;
  /** Concurrent retries of one send wait for the first: Handle is called once. */
  readonly #inFlight = new Map<string, Promise<SendResult>>();

  constructor(deps: ExtensionFlowDeps) {
    this.#deps = deps;
  }

  /** Unknown types (no service, no policy) are refused before anything else. */
  assertKnown(type: string): void {
    if (this.#deps.gateway.route(type) === undefined) {
      throw new AppError(
        'INVALID_ARGUMENT',
        `Unknown message type "${type}": no service handles it.`,
      );
    }
  }

  send(auth: AuthContext, input: ExtensionSend): Promise<SendResult> {
    const key = `${auth.userId}\u0000${input.clientMsgId}`;
    const running = this.#inFlight.get(key);
    if (running !== undefined) return running.then((r) => ({ ...r, duplicate: true }));
    const work = this.#send(auth, input).finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, work);
    return work;
  }

  async #send(auth: AuthContext, input: ExtensionSend): Promise<SendResult> {
    const { store, gateway } = this.#deps;
    const original = await store.messages.findByClientMsgId(auth.userId, input.clientMsgId);
    if (original !== undefined) return { message: toPublicMessage(original), duplicate: true };
    const route = gateway.route(input.type);
    if (route === undefined) this.assertKnown(input.type);
    const parent = {
      id: this.#deps.ids.next(),
      conversationId: input.conversation.id,
      senderId: auth.userId,
      clientMsgId: input.clientMsgId,
      type: input.type,
      content: input.content,
      createdAt: this.#deps.clock.now(),
    };
    if (route?.mode === 'async') {
      const [stored] = await this.#deps.results.store(
        input.conversation,
        [{ ...parent, status: 'pending' }],
        input.origin,
      );
      void this.#dispatchAsync(stored as MessageRecord);
      return { message: toPublicMessage(stored as MessageRecord), duplicate: false };
    }
    let status: MessageStatus = 'sent';
    let generated: readonly GeneratedMessage[] = [];
    try {
      const result = await gateway.handle(this.#envelope(parent, input.conversation, 0, false));
      if (!result.accept) {
        throw new AppError(
          'FAILED_PRECONDITION',
          result.reason || `The ${input.type} service refused the message.`,
        );
      }
      status = settledStatus(result.status);
      generated = result.generated;
    } catch (err) {
      if (err instanceof AppError) throw err;
      const degrade = route?.config.degrade ?? 'reject';
      if (degrade === 'reject') {
        throw new AppError(
          'UNAVAILABLE',
          `The ${input.type} service is unavailable; try again later.`,
        );
      }
      status = degrade === 'passthrough' ? 'pending' : 'sent';
    }
    const rows = [
      { ...parent, status },
      ...this.#deps.results.generatedRows(parent, generated, 'sent'),
    ];
    const [stored] = await this.#deps.results.store(input.conversation, rows, input.origin);
    if (status === 'pending')
      await store.extJobs.add(parent.id, input.type, this.#deps.clock.now());
    return { message: toPublicMessage(stored as MessageRecord), duplicate: false };
  }

  /** Calls HandleAsync for a stored pending message; on failure applies the degrade policy. */
  async #dispatchAsync(message: MessageRecord): Promise<void> {
    const { gateway, store } = this.#deps;
    try {
      const ref = await this.#deps.access.find(message.conversationId);
      const accepted = await gateway.handleAsync(this.#envelope(message, ref, message.seq, true));
      if (!accepted) await this.#deps.results.settle(message, 'rejected', []);
    } catch (err) {
      const degrade = gateway.route(message.type)?.config.degrade ?? 'reject';
      try {
        if (degrade === 'passthrough')
          await store.extJobs.add(message.id, message.type, this.#deps.clock.now());
        else await this.#deps.results.settle(message, degrade === 'skip' ? 'sent' : 'failed', []);
      } catch (inner) {
        this.#deps.onError(inner, `settling ${message.id} after a failed HandleAsync`);
      }
      this.#deps.onError(err, `HandleAsync for ${message.type} ${message.id}`);
    }
  }

  /**
   * ExtCallbackService.Complete: partial results stream, a final status settles. Refused with
   * PERMISSION_DENIED without the token of an async call of this message, for a message no
   * longer pending (a repeat of the final status it was settled with changes nothing and
   * succeeds: Complete is idempotent), and when a generated message would land in another
   * conversation or speak for anyone but the original sender.
   */
  async complete(completion: Completion): Promise<void> {
    const { msgId } = completion;
    if (this.#deps.callbackTokens.verify(completion.token, msgId) === undefined) {
      throw new AppError(
        'PERMISSION_DENIED',
        `The callback token is missing or was not issued for message ${msgId}.`,
      );
    }
    const parent = await this.#deps.store.messages.findById(msgId);
    if (parent === undefined) throw notFound(`No message ${msgId}.`);
    completion.generated.forEach((g, i) => {
      const why = foreignGenerated(parent, g);
      if (why !== undefined) {
        throw new AppError('PERMISSION_DENIED', `Generated message ${i} is refused: ${why}.`);
      }
    });
    const partial =
      completion.status === EXT_STATUS.pending || completion.status === EXT_STATUS.unknown;
    if (parent.status !== 'pending') {
      if (!partial && settledStatus(completion.status) === parent.status) return;
      throw new AppError(
        'PERMISSION_DENIED',
        `Message ${msgId} is not pending: it was settled as ${parent.status}.`,
      );
    }
    if (partial) {
      await this.#deps.results.stream(parent, completion.generated);
      return;
    }
    await this.#deps.results.settle(
      parent,
      settledStatus(completion.status),
      completion.generated,
      completion.reason,
    );
    await this.#deps.store.extJobs.remove(parent.id);
  }

  /** Passthrough: retries messages whose service was away, once one is available again. */
  async retryWaiting(limit = 100): Promise<void> {
    const { store, gateway, clock } = this.#deps;
    for (const job of await store.extJobs.due(clock.now(), limit)) {
      if (!gateway.available(job.msgType)) {
        await store.extJobs.reschedule(
          job.messageId,
          job.attempts,
          clock.now() + retryDelay(job.attempts),
        );
        continue;
      }
      const message = await store.messages.findById(job.messageId);
      if (message === undefined || message.status !== 'pending') {
        await store.extJobs.remove(job.messageId);
        continue;
      }
      try {
        const ref = await this.#deps.access.find(message.conversationId);
        if (gateway.route(job.msgType)?.mode === 'async') {
          await gateway.handleAsync(this.#envelope(message, ref, message.seq, true));
        } else {
          const result = await gateway.handle(this.#envelope(message, ref, message.seq, false));
          await this.#deps.results.settle(
            message,
            result.accept ? settledStatus(result.status) : 'rejected',
            result.accept ? result.generated : [],
          );
        }
        await store.extJobs.remove(job.messageId);
      } catch (err) {
        await store.extJobs.reschedule(
          job.messageId,
          job.attempts + 1,
          clock.now() + retryDelay(job.attempts + 1),
        );
        this.#deps.onError(err, `passthrough retry of ${job.messageId}`);
      }
    }
  }

  #envelope(
    message: Pick<MessageRecord, 'id' | 'senderId' | 'type' | 'content' | 'createdAt'>,
    conversation: { id: string; type: ConversationType },
    seq: number,
    async: boolean,
  ): ExtEnvelope {
    const peer =
      conversation.type === 'single'
        ? (singleConversationMembers(conversation.id)?.find((id) => id !== message.senderId) ?? '')
        : '';
    return {
      msgId: message.id,
      conversation: conversation.id,
      fromUid: message.senderId,
      toUid: peer,
      groupId: conversation.type === 'group' ? conversation.id.replace(/^g_/, '') : '',
      msgType: message.type,
      scene: 0,
      clientTs: message.createdAt,
      serverTs: this.#deps.clock.now(),
      seq,
      requestId: `${message.id}.${this.#deps.ids.next()}`,
      async,
      timeoutMs: this.#deps.gateway.deadlineFor(message.type),
      tags: async ? { [CALLBACK_TAG]: this.#deps.callbackAddr() } : {},
      payload: message.content,
      status: async || seq > 0 ? EXT_STATUS.pending : EXT_STATUS.unknown,
    };
  }
}

const retryDelay = (attempts: number): number =>
  Math.min(60_000, 1_000 * 2 ** Math.min(attempts, 6));
