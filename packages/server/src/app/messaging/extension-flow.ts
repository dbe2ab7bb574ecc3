import type { ConversationType } from '../../domain/conversation.js';
import { appError, isAppError, notFound } from '../../domain/errors.js';
import { EXT_STATUS, foreignGenerated, type GeneratedMessage } from '../../domain/extension.js';
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
import { extEnvelope } from './extension-envelope.js';
import type { ExtensionGateway } from './extension-gateway.js';
import type { ExtensionJobs } from './extension-jobs.js';
import { settledStatus, type ExtensionResults } from './extension-results.js';

export interface ExtensionSend {
  readonly conversation: { readonly id: string; readonly type: ConversationType };
  readonly clientMsgId: string;
  readonly type: string;
  /** The content's JSON text, already checked for shape and size. */
  readonly content: string;
  readonly origin?: string | undefined;
  /** The W3C trace id of the request, passed on to the extension call. */
  readonly traceId?: string | undefined;
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
  /** HandleAsync calls and passthrough retries, on the TaskQueue. */
  readonly jobs: Pick<ExtensionJobs, 'dispatchLater'>;
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
      throw appError(
        'UNKNOWN_MESSAGE_TYPE',
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
      await this.#deps.jobs.dispatchLater(stored as MessageRecord, input.traceId);
      return { message: toPublicMessage(stored as MessageRecord), duplicate: false };
    }
    let status: MessageStatus = 'sent';
    let generated: readonly GeneratedMessage[] = [];
    try {
      const envelope = extEnvelope(this.#deps, parent, input.conversation, 0, false, input.traceId);
      const result = await gateway.handle(envelope);
      if (!result.accept) {
        throw appError(
          'EXTENSION_REFUSED',
          result.reason || `The ${input.type} service refused the message.`,
        );
      }
      status = settledStatus(result.status);
      generated = result.generated;
    } catch (err) {
      if (isAppError(err)) throw err;
      const degrade = route?.config.degrade ?? 'reject';
      if (degrade === 'reject') {
        throw appError(
          'EXTENSION_UNAVAILABLE',
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
      throw appError(
        'CALLBACK_TOKEN_INVALID',
        `The callback token is missing or was not issued for message ${msgId}.`,
      );
    }
    const parent = await this.#deps.store.messages.findById(msgId);
    if (parent === undefined) throw notFound(`No message ${msgId}.`, 'MESSAGE_NOT_FOUND');
    completion.generated.forEach((g, i) => {
      const why = foreignGenerated(parent, g);
      if (why !== undefined) {
        throw appError('PERMISSION_DENIED', `Generated message ${i} is refused: ${why}.`);
      }
    });
    const partial =
      completion.status === EXT_STATUS.pending || completion.status === EXT_STATUS.unknown;
    if (parent.status !== 'pending') {
      if (!partial && settledStatus(completion.status) === parent.status) return;
      throw appError(
        'MESSAGE_NOT_PENDING',
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
}
