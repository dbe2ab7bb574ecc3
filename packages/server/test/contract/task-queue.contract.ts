/** The TaskQueue contract, run against every adapter (task-queue-memory/-nats.test.ts). */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  ConsumeOptions,
  TaskDelivery,
  TaskMessage,
  TaskQueue,
} from '../../src/ports/task-queue.js';

/** One queue under test: a test's own stream, reached through one or more workers' handles. */
export interface TaskQueueUnderTest {
  /**
   * A handle on the queue as one worker process holds it (on NATS, a connection of its own).
   * Every handle of one TaskQueueUnderTest reaches the same queue.
   */
  open(): Promise<TaskQueue>;
  /**
   * Ends a worker as its death would: it reports nothing more and nobody waits for it. `stop`
   * is what `consume` returned to it.
   */
  kill(worker: TaskQueue, stop: () => Promise<void>): Promise<void>;
  /** Closes every handle and removes what the queue left on its engine. */
  dispose(): Promise<void>;
}

export interface TaskQueueContractOptions {
  /** Whether tasks outlive the handles that enqueued them (a server keeps them). */
  readonly durable: boolean;
}

const ACK_WAIT_MS = 600;
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

interface Log {
  readonly deliveries: TaskDelivery[];
  readonly dead: Array<{ task: TaskMessage | undefined; reason: string }>;
  readonly options: ConsumeOptions;
  /** Payload texts handled, in the order their handlers started. */
  texts(): string[];
}

function log(overrides: Partial<ConsumeOptions> = {}): Log {
  const deliveries: TaskDelivery[] = [];
  const dead: Log['dead'] = [];
  return {
    deliveries,
    dead,
    options: {
      concurrency: 4,
      ackWaitMs: ACK_WAIT_MS,
      maxDeliveries: 3,
      onDeadLetter: (task, reason) => dead.push({ task, reason }),
      ...overrides,
    },
    texts: () => deliveries.map((d) => text(d.task.payload)),
  };
}

export function describeTaskQueueContract(
  name: string,
  makeQueue: () => Promise<TaskQueueUnderTest>,
  options: TaskQueueContractOptions,
) {
  describe(`TaskQueue contract: ${name}`, () => {
    let harness: TaskQueueUnderTest;
    let queue: TaskQueue;
    const stops: Array<() => Promise<void>> = [];
    const release: Array<() => void> = [];
    beforeEach(async () => {
      harness = await makeQueue();
      queue = await harness.open();
    });
    afterEach(async () => {
      for (const r of release.splice(0)) r();
      await Promise.all(stops.splice(0).map((stop) => stop()));
      await harness.dispose();
    });

    /** Consumes with `handler`, recording into `l`; stopped after the test. */
    async function consume(
      q: TaskQueue,
      l: Log,
      handler: (d: TaskDelivery) => Promise<void> = async () => {},
    ) {
      const stop = await q.consume(async (d) => {
        l.deliveries.push(d);
        await handler(d);
      }, l.options);
      stops.push(stop);
      return stop;
    }

    /** A promise the test resolves at its end (a handler that hangs until then). */
    function hang(): Promise<void> {
      return new Promise((resolve) => release.push(resolve));
    }

    it('hands each task to a consumer once, with its type, payload and first delivery', async () => {
      const before = Date.now();
      await queue.enqueue('large_group_fanout', bytes('one'));
      await queue.enqueue('token_sweep', bytes('two'));
      await queue.enqueue('ext_retry', new Uint8Array([0, 255, 1]));
      await queue.enqueue('empty', new Uint8Array(0));
      const l = log();
      await consume(queue, l);
      await vi.waitFor(() => expect(l.deliveries).toHaveLength(4));
      const byType = new Map(l.deliveries.map((d) => [d.task.taskType, d]));
      expect(text(byType.get('large_group_fanout')?.task.payload ?? bytes('?'))).toBe('one');
      expect(text(byType.get('token_sweep')?.task.payload ?? bytes('?'))).toBe('two');
      expect([...(byType.get('ext_retry')?.task.payload ?? [])]).toEqual([0, 255, 1]);
      expect(byType.get('empty')?.task.payload.length).toBe(0);
      for (const d of l.deliveries) {
        expect(d.deliveries).toBe(1);
        expect(d.task.retryCount).toBe(0);
        expect(d.task.createdAt).toBeGreaterThanOrEqual(before);
        expect(d.task.createdAt).toBeLessThanOrEqual(Date.now());
      }
      await expect(queue.ping()).resolves.toBeUndefined();
      // Nothing comes back: a marker enqueued last is the only delivery after these.
      await queue.enqueue('marker', bytes('m'));
      await vi.waitFor(() => expect(l.texts()).toContain('m'));
      expect(l.deliveries).toHaveLength(5);
      expect(l.dead).toEqual([]);
    });

    it('redelivers a task whose handler throws, counting the deliveries', async () => {
      const l = log();
      await consume(queue, l, async (d) => {
        if (text(d.task.payload) === 'flaky' && d.deliveries < 3) throw new Error('not yet');
      });
      await queue.enqueue('job', bytes('flaky'));
      await vi.waitFor(() => expect(l.deliveries).toHaveLength(3));
      expect(l.deliveries.map((d) => [d.deliveries, d.task.retryCount])).toEqual([
        [1, 0],
        [2, 1],
        [3, 2],
      ]);
      await queue.enqueue('job', bytes('marker'));
      await vi.waitFor(() => expect(l.texts()).toContain('marker'));
      expect(l.texts()).toEqual(['flaky', 'flaky', 'flaky', 'marker']);
      expect(l.dead).toEqual([]);
    });

    it('acks a handler done without a promise, and redelivers one that throws at once', async () => {
      const l = log();
      const stop = await queue.consume((d) => {
        l.deliveries.push(d);
        if (text(d.task.payload) === 'flaky' && d.deliveries < 2) throw new Error('not yet');
      }, l.options);
      stops.push(stop);
      await queue.enqueue('job', bytes('done'));
      await queue.enqueue('job', bytes('flaky'));
      await vi.waitFor(() => expect(l.deliveries).toHaveLength(3));
      // Past ackWait nothing comes back: both were acknowledged.
      await new Promise((r) => setTimeout(r, ACK_WAIT_MS * 2));
      expect(l.texts().sort()).toEqual(['done', 'flaky', 'flaky']);
      expect(l.dead).toEqual([]);
    });

    it('dead-letters a task after maxDeliveries failures, and goes on with the others', async () => {
      const l = log({ maxDeliveries: 2 });
      await consume(queue, l, async (d) => {
        if (text(d.task.payload) === 'poison') throw new Error('cannot do it');
      });
      await queue.enqueue('job', bytes('poison'));
      await vi.waitFor(() => expect(l.dead).toHaveLength(1));
      expect(l.dead[0]?.task?.taskType).toBe('job');
      expect(text(l.dead[0]?.task?.payload ?? bytes('?'))).toBe('poison');
      expect(l.dead[0]?.reason).toMatch(/cannot do it/);
      await queue.enqueue('job', bytes('fine'));
      await vi.waitFor(() => expect(l.texts()).toContain('fine'));
      expect(l.texts()).toEqual(['poison', 'poison', 'fine']);
      expect(l.dead).toHaveLength(1);
    });

    it('goes on when onDeadLetter itself throws', async () => {
      const dead: string[] = [];
      const l = log({
        maxDeliveries: 1,
        onDeadLetter: (task) => {
          dead.push(text(task?.payload ?? bytes('?')));
          throw new Error('the dead-letter sink is broken');
        },
      });
      await consume(queue, l, async (d) => {
        if (text(d.task.payload) === 'poison') throw new Error('cannot do it');
      });
      await queue.enqueue('job', bytes('poison'));
      await vi.waitFor(() => expect(dead).toEqual(['poison']));
      await queue.enqueue('job', bytes('fine'));
      await vi.waitFor(() => expect(l.texts()).toEqual(['poison', 'fine']));
    });

    it('gives the task of a worker that died mid-task to another one, after ackWait', async () => {
      const a = await harness.open();
      const onA = log();
      const stopA = await consume(a, onA, () => hang());
      await queue.enqueue('job', bytes('orphan'));
      await vi.waitFor(() => expect(onA.deliveries).toHaveLength(1));
      await harness.kill(a, stopA);
      const onB = log();
      await consume(queue, onB);
      await vi.waitFor(() => expect(onB.deliveries).toHaveLength(1), { timeout: 10_000 });
      expect(text(onB.deliveries[0]?.task.payload ?? bytes('?'))).toBe('orphan');
      expect(onB.deliveries[0]?.deliveries).toBe(2);
      expect(onB.deliveries[0]?.task.retryCount).toBe(1);
    });

    it('dead-letters a task whose worker died on its last delivery', async () => {
      const a = await harness.open();
      const onA = log({ maxDeliveries: 1 });
      const stopA = await consume(a, onA, () => hang());
      await queue.enqueue('job', bytes('last try'));
      await vi.waitFor(() => expect(onA.deliveries).toHaveLength(1));
      await harness.kill(a, stopA);
      const onB = log({ maxDeliveries: 1 });
      await consume(queue, onB);
      await vi.waitFor(() => expect([...onA.dead, ...onB.dead]).toHaveLength(1), {
        timeout: 10_000,
      });
      expect([...onA.dead, ...onB.dead][0]?.task?.payload).toEqual(bytes('last try'));
      await queue.enqueue('job', bytes('next'));
      await vi.waitFor(() => expect(onB.texts()).toEqual(['next']));
    });

    it('keeps a task with a live handler that runs past ackWait', async () => {
      const l = log({ concurrency: 1 });
      const other = log();
      await consume(queue, l, () => new Promise((r) => setTimeout(r, ACK_WAIT_MS * 3)));
      await queue.enqueue('job', bytes('long'));
      await vi.waitFor(() => expect(l.deliveries).toHaveLength(1));
      await consume(await harness.open(), other);
      // The long task finishes; a marker then shows the queue moved on without redelivering it.
      await new Promise((r) => setTimeout(r, ACK_WAIT_MS * 3));
      await queue.enqueue('job', bytes('marker'));
      await vi.waitFor(() => expect([...l.texts(), ...other.texts()]).toContain('marker'));
      expect([...l.texts(), ...other.texts()].sort()).toEqual(['long', 'marker']);
    });

    it('shares the work between consumers: each task handled once when all succeed', async () => {
      const one = log({ concurrency: 2 });
      const two = log({ concurrency: 3 });
      const slow = () => new Promise<void>((r) => setTimeout(r, 5));
      await consume(queue, one, slow);
      await consume(await harness.open(), two, slow);
      const sent = Array.from({ length: 60 }, (_, i) => `task-${i}`);
      await Promise.all(sent.map((t) => queue.enqueue('job', bytes(t))));
      await vi.waitFor(() => expect(one.deliveries.length + two.deliveries.length).toBe(60));
      await queue.enqueue('job', bytes('marker'));
      await vi.waitFor(() => expect([...one.texts(), ...two.texts()]).toContain('marker'));
      const handled = [...one.texts(), ...two.texts()].filter((t) => t !== 'marker');
      expect(handled.sort()).toEqual([...sent].sort());
      expect([...one.deliveries, ...two.deliveries].every((d) => d.deliveries === 1)).toBe(true);
    });

    it('never runs more handlers at once than the concurrency', async () => {
      let running = 0;
      let most = 0;
      const l = log({ concurrency: 3 });
      await consume(queue, l, async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 20));
        running--;
      });
      await Promise.all(Array.from({ length: 12 }, (_, i) => queue.enqueue('job', bytes(`${i}`))));
      await vi.waitFor(() => expect(l.deliveries).toHaveLength(12));
      expect(most).toBeLessThanOrEqual(3);
    });

    it('keeps tasks enqueued while no consumer runs, and hands them over on a new start', async () => {
      const first = log();
      const stop = await consume(queue, first);
      await queue.enqueue('job', bytes('before'));
      await vi.waitFor(() => expect(first.texts()).toEqual(['before']));
      await stop();
      for (const t of ['while stopped 1', 'while stopped 2']) await queue.enqueue('job', bytes(t));
      const second = log();
      await consume(queue, second);
      await vi.waitFor(() => expect(second.deliveries).toHaveLength(2));
      expect(second.texts().sort()).toEqual(['while stopped 1', 'while stopped 2']);
      expect(first.texts()).toEqual(['before']);
    });

    it('waits for the tasks in hand when a consumer stops', async () => {
      const l = log();
      let finished = 0;
      const stop = await consume(queue, l, async () => {
        await new Promise((r) => setTimeout(r, 100));
        finished++;
      });
      await queue.enqueue('job', bytes('in hand'));
      await vi.waitFor(() => expect(l.deliveries).toHaveLength(1));
      await stop();
      expect(finished).toBe(1);
      const after = log();
      await consume(queue, after);
      await queue.enqueue('job', bytes('marker'));
      await vi.waitFor(() => expect(after.texts()).toEqual(['marker']));
    });

    if (options.durable) {
      it('keeps tasks across a restart of every worker', async () => {
        await queue.enqueue('job', bytes('survivor'));
        await queue.close();
        const later = await harness.open();
        const l = log();
        await consume(later, l);
        await vi.waitFor(() => expect(l.texts()).toEqual(['survivor']));
      });
    }
  });
}
