/**
 * TaskQueue: durable background work (the seeds' `im-task-topic`; subject `im.task` on NATS
 * JetStream), handed to whichever worker takes it first.
 *
 * Guarantees:
 * - `enqueue` resolves only once the task is durable (for the JetStream adapter: stored by the
 *   server); the in-memory adapter keeps tasks for the life of the process only.
 * - At least once: a task is removed only when a handler resolves for it. A handler that throws,
 *   or a worker that dies (or whose event loop is blocked past `ackWaitMs`), gets the task
 *   redelivered (to any worker), with `deliveries` counting the attempts. A handler still
 *   running keeps its task (the adapter tells the queue it is in progress). Handlers must
 *   therefore be idempotent.
 * - A task that fails `maxDeliveries` times, or whose payload cannot be decoded, is dead-lettered:
 *   reported through `onDeadLetter` and removed. It never blocks the tasks behind it.
 * - Each task goes to one consumer at a time (a work queue, not a broadcast); no order between
 *   tasks is promised.
 */

/** The seed's `TaskMessage` (seed 003 §5.4): `payload` is the task type's own encoding. */
export interface TaskMessage {
  /** `large_group_fanout`, `ext_retry`, `token_sweep`, … */
  readonly taskType: string;
  readonly payload: Uint8Array;
  /** Deliveries before this one (0 on the first). */
  readonly retryCount: number;
  /** Epoch milliseconds of the first enqueue. */
  readonly createdAt: number;
}

export interface TaskDelivery {
  readonly task: TaskMessage;
  /** 1 on the first delivery. */
  readonly deliveries: number;
}

/**
 * Handles one task: resolves (or returns) when done, throws or rejects to have it offered again.
 * A handler done without a promise is acknowledged in the same turn, so that what it published
 * and the acknowledgement can leave together.
 */
export type TaskHandler = (delivery: TaskDelivery) => void | Promise<void>;

export interface ConsumeOptions {
  /** Tasks handled at once by this consumer. */
  readonly concurrency: number;
  /** Unacknowledged this long, a task goes back to the queue. */
  readonly ackWaitMs: number;
  /** Attempts before a task is dead-lettered. */
  readonly maxDeliveries: number;
  readonly onDeadLetter: (task: TaskMessage | undefined, reason: string) => void;
}

export interface TaskQueue {
  /** Durable once resolved. */
  enqueue(taskType: string, payload: Uint8Array): Promise<void>;
  /** Starts handing tasks to `handler`; the returned function stops (waiting for those in hand). */
  consume(handler: TaskHandler, options: ConsumeOptions): Promise<() => Promise<void>>;
  /** Resolves while the queue can take tasks (for /ready). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
