/** The `reply` an async handler reports through: calls to Parley's `ExtCallbackService.Complete`. */
import { MsgStatus, type ExtMessage } from '@parley/proto';
import type { CallbackClients } from './callback-client.js';
import { ExtError } from './errors.js';
import type { ExtResult } from './handlers.js';
import { toExtMessage, type GeneratedMessage } from './messages.js';

/**
 * Reports the result of one async message. Calls are sent in the order they are made, each
 * after the one before has been answered. Every method resolves once Parley has taken the call
 * and rejects with `ExtError('CALLBACK_FAILED')` if it could not, after retries (a handler may
 * stop its work then: Parley no longer wants it). After a final status (`complete`, `reject`,
 * `fail`, `finish`) every call rejects with `ExtError('REPLY_CLOSED')`.
 *
 * Generated messages get stable ids from their position (see `GeneratedOptions.msgId`): the
 * growing text of a stream is the same message in every partial result and in the final one.
 */
export interface AsyncReply {
  /** The handled message's `msg_id`. */
  readonly msgId: string;
  /** The `request_id` results are reported under (the latest call's, when Parley retried). */
  readonly requestId: string;
  /** Where results go: `header.tags["x-parley-callback"]` of the latest call. */
  readonly callbackAddress: string;
  /** Whether a final status has been sent (or is being sent). */
  readonly done: boolean;
  /** A partial result (`MSG_PENDING`): the generated messages so far. */
  partial(...generated: GeneratedMessage[]): Promise<void>;
  /** The final result `MSG_SUCCESS`, with the generated messages. */
  complete(...generated: GeneratedMessage[]): Promise<void>;
  /** The final result `MSG_REJECTED`: the message is refused; `reason` is shown to the sender. */
  reject(reason: string): Promise<void>;
  /** The final result `MSG_FAILED`: the service could not do it. */
  fail(reason: string): Promise<void>;
  /** The final result that `result` describes. */
  finish(result: ExtResult): Promise<void>;
}

/** Where results of one message go: the request, callback address and token of the latest call. */
export interface CallbackTarget {
  readonly requestId: string;
  readonly address: string;
  /** `header.tags["x-parley-callback-token"]`: sent back with every result ('' for none). */
  readonly token: string;
}

/** A result as sent, without the request id (which depends on the target). */
export type CompleteBody = {
  readonly msgId: string;
  readonly status: MsgStatus;
  readonly reason: string;
  readonly generated: ExtMessage[];
};

/** The {@link AsyncReply} of one handled message. */
export class CallbackReply implements AsyncReply {
  readonly #source: ExtMessage;
  readonly #clients: CallbackClients;
  #target: CallbackTarget;
  #final: CompleteBody | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  readonly #onFinal: (status: MsgStatus) => void;

  /** `onFinal` learns the final status as it is decided, before it is sent. */
  constructor(
    source: ExtMessage,
    target: CallbackTarget,
    clients: CallbackClients,
    onFinal: (status: MsgStatus) => void = () => undefined,
  ) {
    this.#source = source;
    this.#target = target;
    this.#clients = clients;
    this.#onFinal = onFinal;
  }

  get msgId(): string {
    return this.#source.msgId;
  }

  get requestId(): string {
    return this.#target.requestId;
  }

  get callbackAddress(): string {
    return this.#target.address;
  }

  get done(): boolean {
    return this.#final !== undefined;
  }

  partial(...generated: GeneratedMessage[]): Promise<void> {
    return this.#send(MsgStatus.MSG_PENDING, '', generated);
  }

  complete(...generated: GeneratedMessage[]): Promise<void> {
    return this.#send(MsgStatus.MSG_SUCCESS, '', generated);
  }

  reject(reason: string): Promise<void> {
    return this.#send(MsgStatus.MSG_REJECTED, reason, []);
  }

  fail(reason: string): Promise<void> {
    return this.#send(MsgStatus.MSG_FAILED, reason, []);
  }

  finish(result: ExtResult): Promise<void> {
    if (result.accept) return this.complete(...(result.generated ?? []));
    return result.status === 'failed' ? this.fail(result.reason) : this.reject(result.reason);
  }

  /** Sends later results to `target`: Parley called again for the same message. */
  retarget(target: CallbackTarget): void {
    this.#target = target;
  }

  /** Sends the final result once more, to the current target; resolves false if there is none. */
  async resendFinal(): Promise<boolean> {
    const body = this.#final;
    if (body === undefined) return false;
    await this.#enqueue(body);
    return true;
  }

  async #send(status: MsgStatus, reason: string, drafts: readonly GeneratedMessage[]) {
    if (this.#final !== undefined) {
      throw new ExtError('REPLY_CLOSED', `The result of ${this.msgId} has already been sent.`);
    }
    const generated = drafts.map((draft, i) => toExtMessage(draft, this.#source, i));
    const body: CompleteBody = { msgId: this.#source.msgId, status, reason, generated };
    if (status !== MsgStatus.MSG_PENDING) {
      this.#final = body;
      this.#onFinal(status);
    }
    await this.#enqueue(body);
  }

  #enqueue(body: CompleteBody): Promise<void> {
    // The target is read when the call goes out, so a retarget also redirects queued calls.
    const sent = this.#queue.then(() =>
      this.#clients.complete(
        this.#target.address,
        { ...body, requestId: this.#target.requestId },
        this.#target.token,
      ),
    );
    this.#queue = sent.catch(() => undefined);
    return sent;
  }
}
