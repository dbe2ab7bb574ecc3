import type {
  ConsumeOptions,
  TaskHandler,
  TaskMessage,
  TaskQueue,
} from '../../ports/task-queue.js';
import { retryDelay } from './retry-delay.js';

export interface MemoryTaskQueueOptions {
  /** Tasks waiting at most (not counting those in hand); enqueue rejects past it. */
  readonly maxQueued?: number;
  /** Delay before a failed task is offered again, by the deliveries it had. */
  readonly retryDelayMs?: (deliveries: number) => number;
  /** Epoch milliseconds, for `createdAt`. */
  readonly now?: () => number;
  /** Told when an onDeadLetter callback throws. */
  readonly onError?: (err: unknown) => void;
}

interface Entry {
  readonly task: TaskMessage;
  /** Deliveries so far. */
  deliveries: number;
}

interface Consumer {
  readonly handler: TaskHandler;
  readonly options: ConsumeOptions;
  readonly inHand: Set<InHand>;
  stopping: boolean;
  stopped?: Promise<void>;
}

interface InHand {
  readonly entry: Entry;
  settled: Promise<void>;
  /** Given back by a stop that could not wait any longer: its outcome no longer counts. */
  abandoned: boolean;
}

/**
 * The in-process TaskQueue: tasks live as long as the process. Tasks go to consumers in turn,
 * each up to its concurrency; a handler that throws gets its task back after a short backoff, a
 * handler still running keeps it (as a JetStream worker that reports progress does), and a
 * consumer that stops gives back, after `ackWaitMs`, the tasks it could not finish.
 */
export class MemoryTaskQueue implements TaskQueue {
  readonly #ready: Entry[] = [];
  readonly #consumers: Consumer[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #maxQueued: number;
  readonly #retryDelayMs: (deliveries: number) => number;
  readonly #now: () => number;
  readonly #onError: (err: unknown) => void;
  #next = 0;
  #closed = false;

  constructor(options: MemoryTaskQueueOptions = {}) {
    this.#maxQueued = options.maxQueued ?? 100_000;
    this.#retryDelayMs = options.retryDelayMs ?? retryDelay;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => {});
  }

  async enqueue(taskType: string, payload: Uint8Array): Promise<void> {
    if (this.#closed) throw new Error('The task queue is closed');
    if (this.#ready.length >= this.#maxQueued) {
      throw new Error(`The in-memory task queue is full (${this.#maxQueued} tasks waiting)`);
    }
    const task = {
      taskType,
      payload: new Uint8Array(payload),
      retryCount: 0,
      createdAt: this.#now(),
    };
    this.#ready.push({ task, deliveries: 0 });
    this.#dispatch();
  }

  async consume(handler: TaskHandler, options: ConsumeOptions): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error('The task queue is closed');
    const consumer: Consumer = { handler, options, inHand: new Set(), stopping: false };
    this.#consumers.push(consumer);
    this.#dispatch();
    return () => this.#stop(consumer);
  }

  /** Hands waiting tasks to consumers with room, in turn. */
  #dispatch(): void {
    while (this.#ready.length > 0) {
      const consumer = this.#nextConsumerWithRoom();
      if (consumer === undefined) return;
      this.#deliver(consumer, this.#ready.shift() as Entry);
    }
  }

  #nextConsumerWithRoom(): Consumer | undefined {
    for (let i = 0; i < this.#consumers.length; i++) {
      const consumer = this.#consumers[(this.#next + i) % this.#consumers.length] as Consumer;
      if (!consumer.stopping && consumer.inHand.size < consumer.options.concurrency) {
        this.#next = (this.#next + i + 1) % this.#consumers.length;
        return consumer;
      }
    }
    return undefined;
  }

  #deliver(consumer: Consumer, entry: Entry): void {
    entry.deliveries++;
    const deliveries = entry.deliveries;
    const task = { ...entry.task, retryCount: deliveries - 1 };
    const inHand: InHand = { entry, settled: Promise.resolve(), abandoned: false };
    inHand.settled = Promise.resolve()
      .then(() => consumer.handler({ task, deliveries }))
      .catch((err: unknown) => {
        // A task given back by a stop is no longer this handler's to fail.
        if (inHand.abandoned) return;
        this.#failed(consumer, entry, `failed: ${err instanceof Error ? err.message : err}`);
      })
      .finally(() => {
        consumer.inHand.delete(inHand);
        this.#dispatch();
      });
    consumer.inHand.add(inHand);
  }

  /** A delivery that did not succeed: offered again after a backoff, or dead-lettered. */
  #failed(consumer: Consumer, entry: Entry, reason: string, delayMs?: number): void {
    const { maxDeliveries, onDeadLetter } = consumer.options;
    if (entry.deliveries >= maxDeliveries) {
      try {
        onDeadLetter(
          { ...entry.task, retryCount: entry.deliveries - 1 },
          `delivered ${entry.deliveries} times, last ${reason}`,
        );
      } catch (err) {
        this.#onError(err);
      }
      return;
    }
    this.#later(delayMs ?? this.#retryDelayMs(entry.deliveries), () => {
      this.#ready.push(entry);
      this.#dispatch();
    });
  }

  #later(ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (!this.#closed) run();
    }, ms);
    this.#timers.add(timer);
  }

  /** Takes no more tasks; waits for those in hand up to ackWaitMs, then gives them back. */
  #stop(consumer: Consumer): Promise<void> {
    consumer.stopped ??= this.#finish(consumer);
    return consumer.stopped;
  }

  async #finish(consumer: Consumer): Promise<void> {
    consumer.stopping = true;
    const inHand = [...consumer.inHand];
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, consumer.options.ackWaitMs);
    });
    await Promise.race([Promise.all(inHand.map((h) => h.settled)), late]);
    clearTimeout(timer);
    for (const held of consumer.inHand) {
      held.abandoned = true;
      consumer.inHand.delete(held);
      this.#failed(consumer, held.entry, 'not finished before its worker stopped', 0);
    }
    const index = this.#consumers.indexOf(consumer);
    if (index >= 0) this.#consumers.splice(index, 1);
    this.#dispatch();
  }

  /** Tasks waiting for a consumer (for tests and metrics). */
  waiting(): number {
    return this.#ready.length;
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new Error('The task queue is closed');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await Promise.all(this.#consumers.map((c) => this.#stop(c)));
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
