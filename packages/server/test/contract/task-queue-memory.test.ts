import { describe, expect, it } from 'vitest';
import { MemoryTaskQueue } from '../../src/adapters/task-queue/task-queue-memory.js';
import { describeTaskQueueContract } from './task-queue.contract.js';

// One process: every worker's handle is the same queue, and a worker "dies" by a stop that
// nobody waits for, which gives its tasks back after ackWait.
describeTaskQueueContract(
  'memory',
  async () => {
    const queue = new MemoryTaskQueue();
    return {
      open: async () => queue,
      kill: async (_worker, stop) => void stop(),
      dispose: () => queue.close(),
    };
  },
  { durable: false },
);

describe('MemoryTaskQueue', () => {
  it('refuses tasks past its bound', async () => {
    const queue = new MemoryTaskQueue({ maxQueued: 2 });
    await queue.enqueue('a', new Uint8Array());
    await queue.enqueue('a', new Uint8Array());
    await expect(queue.enqueue('a', new Uint8Array())).rejects.toThrow(/full \(2 tasks waiting\)/);
    expect(queue.waiting()).toBe(2);
    await queue.close();
    await expect(queue.enqueue('a', new Uint8Array())).rejects.toThrow(/closed/);
  });
});
