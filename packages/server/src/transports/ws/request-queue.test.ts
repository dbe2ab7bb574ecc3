import { describe, expect, it } from 'vitest';
import { RequestQueue } from './request-queue.js';

/** A task that records its start and finishes when told to. */
function gatedTask(started: number[], n: number) {
  let finish = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { run: () => (started.push(n), done), finish: () => finish() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('RequestQueue', () => {
  it('runs up to the bound at once, queues the next in order, refuses past the waiting bound', async () => {
    const queue = new RequestQueue(2, 3);
    const started: number[] = [];
    const tasks = Array.from({ length: 6 }, (_, n) => gatedTask(started, n));
    expect(tasks.map((t) => queue.submit(t.run))).toEqual([true, true, true, true, true, false]);
    expect(started).toEqual([0, 1]);
    expect([queue.running, queue.waiting]).toEqual([2, 3]);
    tasks[1]?.finish();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    tasks[0]?.finish();
    tasks[2]?.finish();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect([queue.running, queue.waiting]).toEqual([2, 0]);
  });

  it('goes on after a task that fails', async () => {
    const queue = new RequestQueue(1, 10);
    const started: number[] = [];
    queue.submit(() => Promise.reject(new Error('boom')));
    queue.submit(async () => void started.push(1));
    await tick();
    expect(started).toEqual([1]);
    expect(queue.running).toBe(0);
  });

  it('keeps its order across many more tasks than it holds at once', async () => {
    const queue = new RequestQueue(3, 5_000);
    const started: number[] = [];
    for (let n = 0; n < 5_000; n++) queue.submit(async () => void started.push(n));
    while (queue.running > 0) await tick();
    expect(started).toEqual(Array.from({ length: 5_000 }, (_, n) => n));
  });
});

describe('RequestQueue, bytes', () => {
  it('refuses a waiting request past the byte bound, and frees its bytes when it starts', async () => {
    const queue = new RequestQueue(1, 100, 1_000);
    const started: number[] = [];
    const tasks = Array.from({ length: 4 }, (_, n) => gatedTask(started, n));
    expect(queue.submit(tasks[0]!.run, 900)).toBe(true); // runs at once: not waiting
    expect(queue.submit(tasks[1]!.run, 600)).toBe(true);
    expect(queue.submit(tasks[2]!.run, 500)).toBe(false);
    expect(queue.submit(tasks[3]!.run, 400)).toBe(true);
    expect(queue.waitingBytes).toBe(1_000);
    tasks[0]!.finish();
    await tick();
    expect(started).toEqual([0, 1]);
    expect(queue.waitingBytes).toBe(400);
  });
});
