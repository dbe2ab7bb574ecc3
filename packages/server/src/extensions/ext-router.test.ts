import { describe, expect, it } from 'vitest';
import type { ExtEnvelope, ExtInstance, HandleResult } from '../domain/extension.js';
import type { CallbackTokens, ExtInvoker, ExtRegistry } from '../ports/extensions.js';
import { NO_EXT_METRICS } from './ext-metrics.js';
import { ExtRouter } from './ext-router.js';

const instance = (timeoutMs?: number): ExtInstance => ({
  msgType: 'slow.type',
  instanceId: 'i-1',
  addr: '127.0.0.1:1',
  mode: 'sync',
  timeoutMs,
  weight: 1,
  tags: {},
});

function routerWith(inst: ExtInstance, typeTimeoutMs?: number) {
  const deadlines: number[] = [];
  const registry: ExtRegistry = {
    start: async () => {},
    instances: () => [inst],
    all: () => [inst],
    config: () =>
      typeTimeoutMs === undefined
        ? undefined
        : { timeoutMs: typeTimeoutMs, degrade: 'reject', tags: {} },
    onChange: () => () => {},
    close: async () => {},
  };
  const invoker: ExtInvoker = {
    handle: async (_i, envelope, deadlineMs) => {
      deadlines.push(deadlineMs, envelope.timeoutMs);
      return { accept: true, reason: '', generated: [], status: 1 } satisfies HandleResult;
    },
    handleAsync: async () => true,
    retain: () => {},
    close: () => {},
  };
  const tokens: CallbackTokens = { issue: () => 't', verify: () => undefined };
  const router = new ExtRouter(registry, invoker, tokens, NO_EXT_METRICS, {
    defaultTimeoutMs: 50,
    concurrency: 4,
    queue: 4,
    breakerFailures: 5,
    breakerOpenMs: 1_000,
  });
  return { router, deadlines };
}

const envelope = { msgId: 'm1', msgType: 'slow.type', payload: '{}', tags: {} } as ExtEnvelope;

describe('ExtRouter deadlines', () => {
  it("gives a call the instance's own deadline, even above the type's and the default", async () => {
    const { router, deadlines } = routerWith(instance(300), 100);
    await router.handle(envelope);
    expect(Math.min(...deadlines)).toBeGreaterThan(250);
    expect(Math.max(...deadlines)).toBeLessThanOrEqual(300);
  });

  it("falls back to the type's deadline, then the default", async () => {
    const typed = routerWith(instance(), 120);
    await typed.router.handle(envelope);
    expect(Math.min(...typed.deadlines)).toBeGreaterThan(70);
    expect(Math.max(...typed.deadlines)).toBeLessThanOrEqual(120);
    const plain = routerWith(instance());
    await plain.router.handle(envelope);
    expect(Math.max(...plain.deadlines)).toBeLessThanOrEqual(50);
  });
});
