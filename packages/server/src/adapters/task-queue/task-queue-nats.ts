import {
  jetstream,
  jetstreamManager,
  type Consumer,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type { ConsumeOptions, TaskHandler, TaskQueue } from '../../ports/task-queue.js';
import { decodeTask, encodeTask } from '../../protocol/task-codec.js';
import type { NatsLink } from '../bus/nats-connection.js';
import { ensureTaskConsumer, ensureTaskStream, type TaskStreamNames } from './jetstream-setup.js';
import { retryDelay } from './retry-delay.js';

export interface JetStreamTaskQueueOptions {
  /** The stream (`PARLEY_TASKS`); tests take one of their own. */
  readonly stream?: string;
  /** The subject tasks are published on (`im.task`). */
  readonly subject?: string;
  /** The durable consumer every worker shares (`parley-workers`). */
  readonly consumer?: string;
  /** Whether close() closes the connection too (false: its owner closes it). */
  readonly ownsConnection?: boolean;
  /** Delay before a failed task is offered again, by the deliveries it had. */
  readonly retryDelayMs?: (deliveries: number) => number;
  /** How long one pull request waits for tasks (at least 1 s; 5 s by default). */
  readonly pullExpiresMs?: number;
  /** Told of a consumer's trouble with the server (it keeps trying), and of a throwing onDeadLetter. */
  readonly onError?: (err: unknown) => void;
  /** Epoch milliseconds, for `createdAt`. */
  readonly now?: () => number;
}

interface Worker {
  readonly handler: TaskHandler;
  readonly options: ConsumeOptions;
  readonly inHand: Set<InHand>;
  stopping: boolean;
  /** The pull in progress, ended early by a stop. */
  pull?: ConsumerMessages;
  /** Wakes the pull loop when a slot frees up. */
  wake?: () => void;
  loop?: Promise<void>;
  stopped?: Promise<void>;
}

interface InHand {
  readonly msg: JsMsg;
  settled: Promise<void>;
  abandoned: boolean;
}

/**
 * The TaskQueue on NATS JetStream: a work-queue stream in files (`PARLEY_TASKS`, subject
 * `im.task`) and one durable pull consumer shared by every worker (`parley-workers`), explicit
 * acks, `ack_wait` = ackWaitMs. Tasks travel as im.task.v1.TaskMessage. A handler that resolves
 * acks, one that throws naks with a backoff, and one still running reports progress every half
 * ackWait, so a long task stays with a live worker and returns to the queue only when the worker
 * is gone. A task that does not decode, or has had its deliveries, is terminated and reported.
 */
export class JetStreamTaskQueue implements TaskQueue {
  readonly #link: NatsLink;
  readonly #names: TaskStreamNames;
  readonly #ownsConnection: boolean;
  readonly #retryDelayMs: (deliveries: number) => number;
  readonly #pullExpiresMs: number;
  readonly #onError: (err: unknown) => void;
  readonly #now: () => number;
  readonly #js: JetStreamClient;
  readonly #workers = new Set<Worker>();
  #jsm: Promise<JetStreamManager> | undefined;
  #stream: Promise<void> | undefined;
  #closed = false;

  constructor(link: NatsLink, options: JetStreamTaskQueueOptions = {}) {
    this.#link = link;
    this.#names = {
      stream: options.stream ?? 'PARLEY_TASKS',
      subject: options.subject ?? 'im.task',
      consumer: options.consumer ?? 'parley-workers',
    };
    this.#ownsConnection = options.ownsConnection ?? false;
    this.#retryDelayMs = options.retryDelayMs ?? retryDelay;
    this.#pullExpiresMs = Math.max(1_000, options.pullExpiresMs ?? 5_000);
    this.#onError = options.onError ?? (() => {});
    this.#now = options.now ?? Date.now;
    this.#js = jetstream(link.connection);
  }

  #manager(): Promise<JetStreamManager> {
    this.#jsm ??= jetstreamManager(this.#link.connection).catch((err: unknown) => {
      this.#jsm = undefined;
      throw err;
    });
    return this.#jsm;
  }

  /** Makes the stream once per queue (again after a failure). */
  #ensureStream(): Promise<void> {
    this.#stream ??= this.#manager()
      .then((jsm) => ensureTaskStream(jsm, this.#names))
      .catch((err: unknown) => {
        this.#stream = undefined;
        throw err;
      });
    return this.#stream;
  }

  async enqueue(taskType: string, payload: Uint8Array): Promise<void> {
    if (this.#closed) throw new Error('The task queue is closed');
    const bytes = encodeTask({ taskType, payload, retryCount: 0, createdAt: this.#now() });
    await this.#ensureStream();
    // Resolves once the server has stored it.
    await this.#js.publish(this.#names.subject, bytes, {
      expect: { streamName: this.#names.stream },
    });
  }

  async consume(handler: TaskHandler, options: ConsumeOptions): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error('The task queue is closed');
    await this.#ensureStream();
    await ensureTaskConsumer(await this.#manager(), this.#names, options);
    const worker: Worker = { handler, options, inHand: new Set(), stopping: false };
    this.#workers.add(worker);
    worker.loop = this.#pullLoop(worker);
    return () => this.#stop(worker);
  }

  /** Pulls as many tasks as there are free slots, while the worker runs. */
  async #pullLoop(worker: Worker): Promise<void> {
    let consumer: Consumer | undefined;
    // A closed connection is a dead worker: the server gives its tasks to the others.
    while (!worker.stopping && this.#link.state() !== 'closed') {
      const free = worker.options.concurrency - worker.inHand.size;
      if (free <= 0) {
        await new Promise<void>((resolve) => (worker.wake = resolve));
        continue;
      }
      try {
        consumer ??= await this.#js.consumers.get(this.#names.stream, this.#names.consumer);
        const pull = await consumer.fetch({ max_messages: free, expires: this.#pullExpiresMs });
        worker.pull = pull;
        // A stop that came while the pull was being made found nothing to close. (A pull's
        // close() resolves once its iteration has ended: never await it outside the loop.)
        if (worker.stopping) void pull.close();
        for await (const msg of pull) {
          if (worker.stopping) safely(() => msg.nak());
          else this.#start(worker, msg);
        }
      } catch (err) {
        if (worker.stopping) break;
        this.#onError(err);
        await new Promise((r) => setTimeout(r, 1_000));
      } finally {
        worker.pull = undefined;
      }
    }
  }

  #start(worker: Worker, msg: JsMsg): void {
    const inHand: InHand = { msg, settled: Promise.resolve(), abandoned: false };
    inHand.settled = this.#handle(worker, msg, () => inHand.abandoned)
      .catch((err: unknown) => this.#onError(err))
      .finally(() => {
        worker.inHand.delete(inHand);
        worker.wake?.();
        worker.wake = undefined;
      });
    worker.inHand.add(inHand);
  }

  async #handle(worker: Worker, msg: JsMsg, abandoned: () => boolean): Promise<void> {
    const { ackWaitMs, maxDeliveries, onDeadLetter } = worker.options;
    const deliveries = msg.info.deliveryCount;
    const decoded = decodeTask(msg.data);
    if (!decoded.ok) {
      this.#deadLetter(msg, decoded.reason);
      onDeadLetter(undefined, `the task does not decode: ${decoded.reason}`);
      return;
    }
    const task = { ...decoded.task, retryCount: decoded.task.retryCount + deliveries - 1 };
    if (deliveries > maxDeliveries) {
      this.#deadLetter(msg, 'no more deliveries');
      onDeadLetter(task, `delivered ${maxDeliveries} times, the last worker went away`);
      return;
    }
    const progress = setInterval(() => {
      if (this.#link.state() === 'closed') clearInterval(progress);
      else if (!abandoned()) safely(() => msg.working());
    }, ackWaitMs / 2);
    try {
      const pending = worker.handler({ task, deliveries });
      // Done at once: ack in this turn, so that the handler's publishes and the ack share the
      // connection's next write (the client flushes in a microtask) instead of waking the
      // server twice.
      if (pending !== undefined) await pending;
      if (!abandoned()) safely(() => msg.ack());
    } catch (err) {
      if (abandoned()) return;
      const reason = `failed: ${err instanceof Error ? err.message : err}`;
      if (deliveries >= maxDeliveries) {
        this.#deadLetter(msg, reason);
        onDeadLetter(task, `delivered ${deliveries} times, last ${reason}`);
      } else {
        safely(() => msg.nak(this.#retryDelayMs(deliveries)));
      }
    } finally {
      clearInterval(progress);
    }
  }

  /**
   * Terminates a delivery (the server stops redelivering it and publishes an advisory) and
   * deletes the task: a work-queue stream removes acknowledged tasks only, not terminated ones.
   */
  #deadLetter(msg: JsMsg, reason: string): void {
    safely(() => msg.term(reason));
    const seq = msg.info.streamSequence;
    void this.#manager()
      .then((jsm) => jsm.streams.deleteMessage(this.#names.stream, seq, false))
      .catch((err: unknown) => this.#onError(err));
  }

  /** Takes no more tasks; waits for those in hand up to ackWaitMs, then gives them back. */
  #stop(worker: Worker): Promise<void> {
    worker.stopped ??= this.#finish(worker);
    return worker.stopped;
  }

  async #finish(worker: Worker): Promise<void> {
    worker.stopping = true;
    worker.wake?.();
    void worker.pull?.close().catch(() => {});
    await worker.loop?.catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, worker.options.ackWaitMs);
    });
    await Promise.race([Promise.all([...worker.inHand].map((h) => h.settled)), late]);
    clearTimeout(timer);
    for (const held of worker.inHand) {
      held.abandoned = true;
      safely(() => held.msg.nak());
    }
    worker.inHand.clear();
    this.#workers.delete(worker);
    // The acks and naks reach the server before the stop resolves.
    if (this.#link.state() === 'connected') await this.#link.connection.flush().catch(() => {});
  }

  async ping(): Promise<void> {
    if (this.#closed) throw new Error('The task queue is closed');
    await this.#link.ping();
    await this.#ensureStream();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#workers].map((w) => this.#stop(w)));
    if (this.#ownsConnection) await this.#link.close();
  }
}

/** Acks and progress reports on a closed connection throw: the server redelivers then anyway. */
function safely(send: () => void): void {
  try {
    send();
  } catch {
    // nothing to do: see above
  }
}
