import { randomUUID } from 'node:crypto';
import { jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { afterEach, describe, expect, inject, it, vi } from 'vitest';
import { connectNats, type NatsLink } from '../../src/adapters/bus/nats-connection.js';
import {
  JetStreamTaskQueue,
  type JetStreamTaskQueueOptions,
} from '../../src/adapters/task-queue/task-queue-nats.js';
import type { TaskMessage, TaskQueue } from '../../src/ports/task-queue.js';
import { encodeTask } from '../../src/protocol/task-codec.js';
import { describeTaskQueueContract, type TaskQueueUnderTest } from './task-queue.contract.js';

const natsUrl = inject('natsUrl');

/** A queue with a stream, subject and consumer of its own on the run's nats-server. */
async function natsQueue(extra: JetStreamTaskQueueOptions = {}): Promise<
  TaskQueueUnderTest & {
    names: Required<Pick<JetStreamTaskQueueOptions, 'stream' | 'subject' | 'consumer'>>;
    admin: NatsLink;
  }
> {
  const id = randomUUID().slice(0, 8);
  const names = { stream: `T_${id}`, subject: `t${id}.task`, consumer: `w${id}` };
  const admin = await connectNats({ url: natsUrl, name: 'parley-test-admin' });
  const links = new Map<TaskQueue, NatsLink>();
  return {
    names,
    admin,
    async open() {
      const link = await connectNats({ url: natsUrl, name: `parley-test-worker-${id}` });
      const queue = new JetStreamTaskQueue(link, {
        ...names,
        ownsConnection: true,
        retryDelayMs: () => 50,
        pullExpiresMs: 1_000,
        ...extra,
      });
      links.set(queue, link);
      return queue;
    },
    // The process dies: its connection goes, without acks, naks or a drain.
    async kill(worker) {
      await links.get(worker)?.connection.close();
    },
    async dispose() {
      await Promise.all([...links.keys()].map((q) => q.close()));
      const jsm = await jetstreamManager(admin.connection);
      await jsm.streams.delete(names.stream).catch(() => false);
      await admin.close();
    },
  };
}

describeTaskQueueContract('nats jetstream', () => natsQueue(), { durable: true });

describe('JetStreamTaskQueue', () => {
  const disposers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(disposers.splice(0).map((d) => d()));
  });

  it('makes a work-queue stream in files and a durable consumer with explicit acks', async () => {
    const harness = await natsQueue();
    disposers.push(() => harness.dispose());
    const queue = await harness.open();
    const stop = await queue.consume(async () => {}, {
      concurrency: 1,
      ackWaitMs: 1_500,
      maxDeliveries: 4,
      onDeadLetter: () => {},
    });
    await stop();
    const jsm = await jetstreamManager(harness.admin.connection);
    const stream = await jsm.streams.info(harness.names.stream);
    expect(stream.config).toMatchObject({
      subjects: [harness.names.subject],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
    });
    const consumer = await jsm.consumers.info(harness.names.stream, harness.names.consumer);
    expect(consumer.config).toMatchObject({
      durable_name: harness.names.consumer,
      ack_policy: 'explicit',
      ack_wait: nanos(1_500),
      max_deliver: 5,
    });
  });

  it('dead-letters what does not decode or keeps failing, removes it from the stream, and goes on', async () => {
    const harness = await natsQueue();
    disposers.push(() => harness.dispose());
    const queue = await harness.open();
    const dead: Array<{ task: TaskMessage | undefined; reason: string }> = [];
    const handled: string[] = [];
    await queue.enqueue('job', new Uint8Array()); // makes the stream
    const nc = harness.admin.connection;
    const garbage = [
      new TextEncoder().encode('not protobuf at all'),
      new Uint8Array(0),
      encodeTask({ taskType: 'job', payload: new Uint8Array(), retryCount: 0, createdAt: 1 }).slice(
        0,
        3,
      ),
    ];
    for (const g of garbage) nc.publish(harness.names.subject, g);
    await nc.flush();
    await queue.enqueue('job', new TextEncoder().encode('poison'));
    await queue.enqueue('job', new TextEncoder().encode('good'));
    const stop = await queue.consume(
      async (d) => {
        const text = new TextDecoder().decode(d.task.payload);
        if (text === 'poison') throw new Error('cannot do it');
        handled.push(text);
      },
      {
        concurrency: 1,
        ackWaitMs: 1_000,
        maxDeliveries: 3,
        onDeadLetter: (task, reason) => dead.push({ task, reason }),
      },
    );
    await vi.waitFor(() => expect(handled).toEqual(['', 'good']));
    await vi.waitFor(() => expect(dead).toHaveLength(4));
    await stop();
    const undecodable = dead.filter((d) => d.task === undefined);
    expect(undecodable).toHaveLength(3);
    expect(undecodable.every((d) => /does not decode/.test(d.reason))).toBe(true);
    expect(dead.find((d) => d.task !== undefined)?.reason).toMatch(/3 times, last failed: cannot/);
    const jsm = await jetstreamManager(harness.admin.connection);
    await vi.waitFor(async () =>
      expect((await jsm.streams.info(harness.names.stream)).state.messages).toBe(0),
    );
  });

  it("follows a worker's new ackWait and maxDeliveries on the shared consumer", async () => {
    const harness = await natsQueue();
    disposers.push(() => harness.dispose());
    const settings = { concurrency: 1, onDeadLetter: () => {} };
    const queue = await harness.open();
    await (
      await queue.consume(async () => {}, { ...settings, ackWaitMs: 1_000, maxDeliveries: 2 })
    )();
    await (
      await queue.consume(async () => {}, { ...settings, ackWaitMs: 2_000, maxDeliveries: 6 })
    )();
    const jsm = await jetstreamManager(harness.admin.connection);
    const consumer = await jsm.consumers.info(harness.names.stream, harness.names.consumer);
    expect(consumer.config).toMatchObject({
      ack_wait: nanos(2_000),
      max_deliver: 7,
      ack_policy: 'explicit',
      filter_subject: harness.names.subject,
    });
  });

  it('rejects a malformed task type at enqueue', async () => {
    const harness = await natsQueue();
    disposers.push(() => harness.dispose());
    const queue = await harness.open();
    await expect(queue.enqueue('has space', new Uint8Array())).rejects.toThrow(/not well-formed/);
  });
});
