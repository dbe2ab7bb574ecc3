import type { MessageRecord } from '../../domain/message.js';
import {
  decodeExtTask,
  encodeExtTask,
  EXT_DISPATCH,
  EXT_RETRY,
  type ExtTask,
} from '../../protocol/ext-task-codec.js';
import type { Store } from '../../ports/store.js';
import type { TaskQueue } from '../../ports/task-queue.js';
import type { ConversationAccess } from './access.js';
import { extEnvelope, type EnvelopeContext } from './extension-envelope.js';
import type { ExtensionGateway } from './extension-gateway.js';
import { settledStatus, type ExtensionResults } from './extension-results.js';

export interface ExtensionJobsDeps extends EnvelopeContext {
  readonly store: Store;
  readonly access: ConversationAccess;
  readonly gateway: ExtensionGateway;
  readonly results: ExtensionResults;
  readonly tasks: TaskQueue;
  readonly onError: (err: unknown, context: string) => void;
  /**
   * How long an async message may stay pending after it was sent; past it, it fails with a
   * reason (the members hear message.updated). 0: no deadline.
   */
  readonly completionDeadlineMs: number;
}

/** The reason a message that passed its completion deadline fails with. */
export const DEADLINE_REASON = 'The extension service did not complete the message in time.';

/** How long a claimed passthrough job is kept from other workers (a task's ack wait). */
const CLAIM_LEASE_MS = 60_000;

/**
 * The durable half of extension messages, on the TaskQueue: HandleAsync calls for stored
 * pending messages (`ext_dispatch`) and passthrough retries (`ext_retry`). A retry schedule
 * lives in the store (ext_jobs); any number of workers poll it, and a compare-and-set claim
 * hands each due job to exactly one of them, which enqueues it. Handlers are idempotent: a
 * message that is no longer pending is left alone.
 */
export class ExtensionJobs {
  readonly #deps: ExtensionJobsDeps;

  constructor(deps: ExtensionJobsDeps) {
    this.#deps = deps;
  }

  /** After storing an async message pending: its HandleAsync runs on a worker. */
  async dispatchLater(message: MessageRecord, traceId?: string): Promise<void> {
    const task = { messageId: message.id, msgType: message.type, attempts: 0, traceId };
    try {
      await this.#deps.tasks.enqueue(EXT_DISPATCH, encodeExtTask(task));
    } catch (err) {
      // The queue is away: the retry schedule (in the store) takes the message instead.
      this.#deps.onError(err, `queueing HandleAsync for ${message.id}`);
      await this.#deps.store.extJobs.add(message.id, message.type, this.#deps.clock.now());
    }
  }

  /** Handles one task of either extension type (the worker's TaskQueue handler). */
  async handle(taskType: string, payload: Uint8Array): Promise<void> {
    const task = decodeExtTask(payload);
    if (taskType === EXT_DISPATCH) await this.#dispatch(task);
    else if (taskType === EXT_RETRY) await this.#retry(task);
  }

  /** Claims the due passthrough jobs and enqueues them (every worker polls; one wins each). */
  async enqueueDue(limit = 100): Promise<number> {
    const { store, clock, tasks } = this.#deps;
    let queued = 0;
    for (const job of await store.extJobs.due(clock.now(), limit)) {
      if (!(await store.extJobs.claim(job, clock.now() + CLAIM_LEASE_MS))) continue;
      await tasks.enqueue(EXT_RETRY, encodeExtTask(job));
      queued++;
    }
    return queued;
  }

  async #dispatch(task: ExtTask): Promise<void> {
    const message = await this.#deps.store.messages.findById(task.messageId);
    if (message === undefined || message.status !== 'pending') return;
    const { gateway, store } = this.#deps;
    try {
      const ref = await this.#deps.access.find(message.conversationId);
      const envelope = extEnvelope(this.#deps, message, ref, message.seq, true, task.traceId);
      if (!(await gateway.handleAsync(envelope))) {
        await this.#deps.results.settle(message, 'rejected', []);
      } else if (this.#deps.completionDeadlineMs > 0) {
        // The schedule comes back to it at its deadline (#retry fails it if still pending).
        await store.extJobs.add(message.id, message.type, this.#deadlineOf(message));
      }
    } catch (err) {
      this.#deps.onError(err, `HandleAsync for ${message.type} ${message.id}`);
      const degrade = gateway.route(message.type)?.config.degrade ?? 'reject';
      if (degrade === 'passthrough') {
        await store.extJobs.add(message.id, message.type, this.#deps.clock.now());
      } else {
        await this.#deps.results.settle(message, degrade === 'skip' ? 'sent' : 'failed', []);
      }
    }
  }

  /** When a pending message fails for want of a result. */
  #deadlineOf(message: MessageRecord): number {
    return message.createdAt + this.#deps.completionDeadlineMs;
  }

  #pastDeadline(message: MessageRecord): boolean {
    const { completionDeadlineMs, clock } = this.#deps;
    return completionDeadlineMs > 0 && clock.now() >= this.#deadlineOf(message);
  }

  async #retry(job: ExtTask): Promise<void> {
    const { store, gateway, clock } = this.#deps;
    const pending = await store.messages.findById(job.messageId);
    if (pending?.status === 'pending' && this.#pastDeadline(pending)) {
      await this.#deps.results.settle(pending, 'failed', [], DEADLINE_REASON);
      await store.extJobs.remove(job.messageId);
      return;
    }
    if (!gateway.available(job.msgType)) {
      await store.extJobs.reschedule(
        job.messageId,
        job.attempts,
        clock.now() + retryDelay(job.attempts),
      );
      return;
    }
    const message = await store.messages.findById(job.messageId);
    if (message === undefined || message.status !== 'pending') {
      await store.extJobs.remove(job.messageId);
      return;
    }
    try {
      const ref = await this.#deps.access.find(message.conversationId);
      if (gateway.route(job.msgType)?.mode === 'async') {
        await gateway.handleAsync(extEnvelope(this.#deps, message, ref, message.seq, true));
        if (this.#deps.completionDeadlineMs > 0) {
          // Handed over: the schedule now waits for its deadline instead.
          await store.extJobs.reschedule(job.messageId, job.attempts, this.#deadlineOf(message));
          return;
        }
      } else {
        const envelope = extEnvelope(this.#deps, message, ref, message.seq, false);
        const result = await gateway.handle(envelope);
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

const retryDelay = (attempts: number): number =>
  Math.min(60_000, 1_000 * 2 ** Math.min(attempts, 6));
