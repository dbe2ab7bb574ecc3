import {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  ConsecutiveBreaker,
  bulkhead,
  circuitBreaker,
  handleWhen,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import {
  CALLBACK_TOKEN_TAG,
  DEFAULT_TYPE_CONFIG,
  type ExtEnvelope,
  type ExtInstance,
  type ExtMode,
  type ExtTypeConfig,
  type HandleResult,
} from '../domain/extension.js';
import {
  ExtCallError,
  type CallbackTokens,
  type ExtInvoker,
  type ExtRegistry,
} from '../ports/extensions.js';
import type { ExtMetrics } from './ext-metrics.js';
import { pickInstance } from './instance-picker.js';

export interface ExtRouterOptions {
  /** Deadline of a call when neither the instance nor the type sets one. */
  readonly defaultTimeoutMs: number;
  /** Calls in flight per type, and calls waiting beyond them. */
  readonly concurrency: number;
  readonly queue: number;
  /** Consecutive failures that open an instance's breaker, and how long it stays open. */
  readonly breakerFailures: number;
  readonly breakerOpenMs: number;
}

export interface ExtRoute {
  /** Undefined when the type has a policy but no instance right now. */
  readonly mode: ExtMode | undefined;
  readonly config: ExtTypeConfig;
}

/**
 * Routes extension calls (seed 000, docs/extensions.md): picks an instance from the local
 * registry table (never asking etcd per message), and guards every call with a deadline, a
 * circuit breaker per instance and a bulkhead per type. A call that fails for a reason other
 * than its deadline is retried once on another instance while time remains: Handle and
 * HandleAsync are idempotent on msg_id, so a retry cannot double anything. Every HandleAsync
 * call carries the callback token of its message and the instance it goes to.
 */
export class ExtRouter {
  readonly #registry: ExtRegistry;
  readonly #invoker: ExtInvoker;
  readonly #tokens: CallbackTokens;
  readonly #metrics: ExtMetrics;
  readonly #options: ExtRouterOptions;
  readonly #breakers = new Map<string, CircuitBreakerPolicy>();
  /** When each open breaker opened: after breakerOpenMs it may take a trial call. */
  readonly #openedAt = new Map<string, number>();
  readonly #bulkheads = new Map<string, BulkheadPolicy>();

  constructor(
    registry: ExtRegistry,
    invoker: ExtInvoker,
    tokens: CallbackTokens,
    metrics: ExtMetrics,
    options: ExtRouterOptions,
  ) {
    this.#registry = registry;
    this.#invoker = invoker;
    this.#tokens = tokens;
    this.#metrics = metrics;
    this.#options = options;
    registry.onChange(() => this.#forgetGone());
  }

  /** How a type is handled, or undefined when nothing handles it (an unknown type). */
  route(msgType: string): ExtRoute | undefined {
    const instances = this.#registry.instances(msgType);
    const config = this.#registry.config(msgType);
    if (instances.length === 0 && config === undefined) return undefined;
    return { mode: instances[0]?.mode, config: config ?? DEFAULT_TYPE_CONFIG };
  }

  /** The deadline a call of this type gets. */
  deadlineFor(msgType: string, instance?: ExtInstance): number {
    return (
      instance?.timeoutMs ??
      this.#registry.config(msgType)?.timeoutMs ??
      this.#options.defaultTimeoutMs
    );
  }

  /** True when an instance could take a call now (for passthrough retries). */
  available(msgType: string): boolean {
    return this.#registry.instances(msgType).some((i) => i.weight > 0 && this.#usable(i));
  }

  handle(envelope: ExtEnvelope): Promise<HandleResult> {
    return this.#call(envelope, 'handle', (instance, e, ms) =>
      this.#invoker.handle(instance, e, ms),
    );
  }

  handleAsync(envelope: ExtEnvelope): Promise<boolean> {
    return this.#call(envelope, 'handle_async', (instance, e, ms) => {
      const token = this.#tokens.issue(e.msgId, instance.instanceId);
      return this.#invoker.handleAsync(
        instance,
        { ...e, tags: { ...e.tags, [CALLBACK_TOKEN_TAG]: token } },
        ms,
      );
    });
  }

  async #call<T>(
    envelope: ExtEnvelope,
    method: 'handle' | 'handle_async',
    invoke: (instance: ExtInstance, envelope: ExtEnvelope, deadlineMs: number) => Promise<T>,
  ): Promise<T> {
    const type = envelope.msgType;
    const started = Date.now();
    // The deadline of the first instance picked bounds the whole call, a retry included.
    let budget: number | undefined;
    const tried = new Set<string>();
    try {
      return await this.#bulkhead(type).execute(async () => {
        for (let attempt = 0; ; attempt++) {
          const config = this.#registry.config(type) ?? DEFAULT_TYPE_CONFIG;
          const instance = pickInstance(
            this.#registry.instances(type),
            config.tags,
            (i) => !tried.has(i.instanceId) && this.#usable(i),
          );
          if (instance === undefined)
            throw new ExtCallError('unavailable', `No ${type} service is available.`);
          tried.add(instance.instanceId);
          budget ??= this.deadlineFor(type, instance);
          const remaining =
            Math.min(this.deadlineFor(type, instance), budget) - (Date.now() - started);
          const callStarted = performance.now();
          try {
            const result = await this.#breaker(instance).execute(() =>
              invoke(
                instance,
                { ...envelope, timeoutMs: Math.max(1, remaining) },
                Math.max(1, remaining),
              ),
            );
            this.#metrics.call(
              type,
              instance.instanceId,
              method,
              'ok',
              (performance.now() - callStarted) / 1000,
            );
            return result;
          } catch (err) {
            const outcome = outcomeOf(err);
            this.#metrics.call(
              type,
              instance.instanceId,
              method,
              outcome,
              (performance.now() - callStarted) / 1000,
            );
            const timeLeft = budget - (Date.now() - started);
            if (outcome === 'timeout' || attempt >= 1 || timeLeft <= 1) throw toCallError(err);
          }
        }
      });
    } catch (err) {
      if (err instanceof BulkheadRejectedError) {
        throw new ExtCallError('unavailable', `Too many ${type} calls in flight.`);
      }
      throw err;
    }
  }

  #usable(instance: ExtInstance): boolean {
    const key = keyOf(instance);
    const state = this.#breakers.get(key)?.state;
    if (state !== CircuitState.Open) return state !== CircuitState.Isolated;
    // cockatiel moves to half-open on the next call after the wait: let that call through.
    return Date.now() - (this.#openedAt.get(key) ?? 0) >= this.#options.breakerOpenMs;
  }

  #breaker(instance: ExtInstance): CircuitBreakerPolicy {
    const key = keyOf(instance);
    let breaker = this.#breakers.get(key);
    if (breaker === undefined) {
      breaker = circuitBreaker(
        handleWhen((err) => err instanceof ExtCallError),
        {
          halfOpenAfter: this.#options.breakerOpenMs,
          breaker: new ConsecutiveBreaker(this.#options.breakerFailures),
        },
      );
      breaker.onStateChange((state) => {
        if (state === CircuitState.Open) this.#openedAt.set(key, Date.now());
        this.#metrics.breaker(instance.msgType, instance.instanceId, stateName(state));
      });
      this.#breakers.set(key, breaker);
    }
    return breaker;
  }

  #bulkhead(msgType: string): BulkheadPolicy {
    let policy = this.#bulkheads.get(msgType);
    if (policy === undefined) {
      policy = bulkhead(this.#options.concurrency, this.#options.queue);
      this.#bulkheads.set(msgType, policy);
    }
    return policy;
  }

  #forgetGone(): void {
    // Breakers and connections of instances no longer registered are dropped.
    const live = this.#registry.all();
    const keys = new Set(live.map(keyOf));
    for (const key of [...this.#breakers.keys()]) {
      if (keys.has(key)) continue;
      this.#breakers.delete(key);
      this.#openedAt.delete(key);
    }
    this.#invoker.retain(new Set(live.map((i) => i.addr)));
  }
}

const keyOf = (i: ExtInstance) => `${i.msgType}\u0000${i.instanceId}\u0000${i.addr}`;

function outcomeOf(err: unknown): string {
  if (err instanceof BrokenCircuitError) return 'breaker_open';
  if (err instanceof ExtCallError) return err.outcome;
  return 'error';
}

function toCallError(err: unknown): ExtCallError {
  if (err instanceof ExtCallError) return err;
  if (err instanceof BrokenCircuitError)
    return new ExtCallError('unavailable', 'The extension is failing; its circuit is open.');
  return new ExtCallError('error', err instanceof Error ? err.message : String(err));
}

function stateName(state: CircuitState): 'closed' | 'open' | 'half_open' {
  if (state === CircuitState.HalfOpen) return 'half_open';
  return state === CircuitState.Closed ? 'closed' : 'open';
}
