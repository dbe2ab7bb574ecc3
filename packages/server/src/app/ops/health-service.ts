import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';

/** Counts the live client connections (the WebSocket gateway's, when it runs). */
export interface ConnectionGauge {
  count(): number;
}

export interface HealthReport {
  readonly status: 'healthy' | 'unhealthy';
  readonly connections: number;
  readonly store: {
    readonly engine: string;
    readonly status: 'up' | 'down';
    readonly latency_ms: number;
    readonly error?: string;
  };
  readonly uptime_s: number;
}

const PING_TIMEOUT_MS = 2_000;

/** `/health` (seed 002's shape plus the store) and `/ready` (accepting new work or not). */
export class HealthService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #connections: ConnectionGauge;
  readonly #startedAt: number;
  #ready = false;
  #draining = false;

  constructor(deps: { store: Store; clock: Clock; connections: ConnectionGauge }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#connections = deps.connections;
    this.#startedAt = deps.clock.now();
  }

  markReady(): void {
    this.#ready = true;
  }

  /** From the start of a shutdown: load balancers should stop sending new work. */
  markDraining(): void {
    this.#ready = false;
    this.#draining = true;
  }

  isReady(): boolean {
    return this.#ready;
  }

  /** True once a shutdown has begun. */
  isDraining(): boolean {
    return this.#draining;
  }

  async check(): Promise<HealthReport> {
    const started = this.#clock.now();
    let error: string | undefined;
    try {
      await withTimeout(this.#store.ping(), PING_TIMEOUT_MS);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const now = this.#clock.now();
    return {
      status: error === undefined ? 'healthy' : 'unhealthy',
      connections: this.#connections.count(),
      store: {
        engine: this.#store.engine,
        status: error === undefined ? 'up' : 'down',
        latency_ms: now - started,
        ...(error !== undefined && { error }),
      },
      uptime_s: Math.floor((now - this.#startedAt) / 1000),
    };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
