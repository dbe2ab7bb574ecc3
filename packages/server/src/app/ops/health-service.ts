import type { AiLinkState } from '../../ports/ai-link.js';
import type { Store } from '../../ports/store.js';
import type { Clock } from '../../ports/system.js';

/** Counts the live client connections (the WebSocket gateway's, when it runs). */
export interface ConnectionGauge {
  count(): number;
}

/** The device gateway's state, for /health (absent: no AI link, no devices). */
export interface DeviceGauge {
  aiState(): AiLinkState;
  connections(): number;
}

/** A shared engine this node depends on (the bus, presence, task queue, membership). */
export interface EngineProbe {
  readonly name: string;
  ping(): Promise<void>;
}

export interface EngineState {
  readonly status: 'up' | 'down';
  readonly latency_ms: number;
  readonly error?: string;
}

export interface HealthReport {
  readonly status: 'healthy' | 'unhealthy';
  readonly node_id: string;
  readonly roles: string[];
  readonly connections: number;
  readonly store: {
    readonly engine: string;
    readonly status: 'up' | 'down';
    readonly latency_ms: number;
    readonly error?: string;
  };
  /** Every other engine, by name (absent on the embedded shape: all in-process). */
  readonly engines: Readonly<Record<string, EngineState>>;
  /** The link to the AI service (seed 002's grpc_status). */
  readonly grpc_status: AiLinkState;
  /** Open device connections (the device gateway's). */
  readonly device_connections: number;
  readonly uptime_s: number;
}

export interface Readiness {
  readonly ready: boolean;
  /** The engines that do not answer, when that is why. */
  readonly down?: string[];
}

const PING_TIMEOUT_MS = 2_000;
const READY_PING_TIMEOUT_MS = 1_000;

/** `/health` (seed 002's shape plus the store) and `/ready` (accepting new work or not). */
export class HealthService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #connections: ConnectionGauge;
  readonly #engines: readonly EngineProbe[];
  readonly #node: { readonly id: string; readonly roles: readonly string[] };
  readonly #devices: DeviceGauge;
  readonly #startedAt: number;
  #ready = false;
  #draining = false;

  constructor(deps: {
    store: Store;
    clock: Clock;
    connections: ConnectionGauge;
    engines?: readonly EngineProbe[];
    node?: { readonly id: string; readonly roles: readonly string[] };
    devices?: DeviceGauge;
  }) {
    this.#devices = deps.devices ?? { aiState: () => 'disabled', connections: () => 0 };
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#connections = deps.connections;
    this.#engines = deps.engines ?? [];
    this.#node = deps.node ?? { id: 'local', roles: ['gateway', 'api', 'worker'] };
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

  /** Takes new work: started, not draining, and every engine (the store too) answers. */
  async readiness(): Promise<Readiness> {
    if (!this.#ready) return { ready: false };
    const probes: EngineProbe[] = [
      { name: 'store', ping: () => this.#store.ping() },
      ...this.#engines,
    ];
    const states = await Promise.all(probes.map((p) => probe(p, READY_PING_TIMEOUT_MS)));
    const down = probes.filter((_, i) => states[i]?.status === 'down').map((p) => p.name);
    return down.length === 0 ? { ready: this.#ready } : { ready: false, down };
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
    const states = await Promise.all(this.#engines.map((p) => probe(p, PING_TIMEOUT_MS)));
    const engines = Object.fromEntries(
      this.#engines.map((p, i) => [p.name, states[i] as EngineState]),
    );
    const up = error === undefined && states.every((state) => state.status === 'up');
    return {
      status: up ? 'healthy' : 'unhealthy',
      node_id: this.#node.id,
      roles: [...this.#node.roles],
      connections: this.#connections.count(),
      store: {
        engine: this.#store.engine,
        status: error === undefined ? 'up' : 'down',
        latency_ms: now - started,
        ...(error !== undefined && { error }),
      },
      engines,
      grpc_status: this.#devices.aiState(),
      device_connections: this.#devices.connections(),
      uptime_s: Math.floor((now - this.#startedAt) / 1000),
    };
  }
}

async function probe(engine: EngineProbe, timeoutMs: number): Promise<EngineState> {
  const started = performance.now();
  try {
    await withTimeout(engine.ping(), timeoutMs);
    return { status: 'up', latency_ms: Math.round(performance.now() - started) };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { status: 'down', latency_ms: Math.round(performance.now() - started), error };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
