/**
 * Extension services: where they are (ExtRegistry) and how to call them (ExtInvoker).
 *
 * ExtRegistry guarantees (test/contract/ext-registry.contract.ts):
 * - `instances` and `config` answer from memory, never from the registry's backend: the
 *   message path never waits on etcd.
 * - After `start()` resolves the table reflects the backend; later changes (an instance
 *   registered, deregistered or its lease expired; a type's policy written) are reflected
 *   within 2 seconds and reported to `onChange` listeners.
 *
 * ExtInvoker guarantees: every call ends by its deadline (with a timeout error if the
 * instance did not answer), and a call never throws synchronously.
 */
import type { ExtEnvelope, ExtInstance, ExtTypeConfig, HandleResult } from '../domain/extension.js';

export interface ExtRegistry {
  start(): Promise<void>;
  instances(msgType: string): readonly ExtInstance[];
  /** Every instance of every type. */
  all(): readonly ExtInstance[];
  config(msgType: string): ExtTypeConfig | undefined;
  onChange(listener: () => void): () => void;
  close(): Promise<void>;
}

export type ExtCallOutcome = 'ok' | 'timeout' | 'unavailable' | 'error';

export class ExtCallError extends Error {
  readonly outcome: Exclude<ExtCallOutcome, 'ok'>;
  constructor(outcome: Exclude<ExtCallOutcome, 'ok'>, message: string) {
    super(message);
    this.name = 'ExtCallError';
    this.outcome = outcome;
  }
}

export interface ExtInvoker {
  handle(instance: ExtInstance, envelope: ExtEnvelope, deadlineMs: number): Promise<HandleResult>;
  handleAsync(instance: ExtInstance, envelope: ExtEnvelope, deadlineMs: number): Promise<boolean>;
  /** Forgets connections to instances that are gone. */
  retain(addrs: ReadonlySet<string>): void;
  close(): void;
}

/**
 * The tokens that let an extension report the result of an async call (docs/extensions.md):
 * each HandleAsync call carries one, bound to the message id and the instance called, and
 * ExtCallbackService.Complete takes a result only with it.
 *
 * Guarantees: `verify` answers the instance only for a token `issue` made for that `msgId`,
 * on any node sharing the key and across restarts (pending results arrive after one); it
 * compares in constant time and never throws, whatever the token.
 */
export interface CallbackTokens {
  issue(msgId: string, instanceId: string): string;
  /** The instance the token was issued to for `msgId`, or undefined when it was not. */
  verify(token: string, msgId: string): string | undefined;
}
