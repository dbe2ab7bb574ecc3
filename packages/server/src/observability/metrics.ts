import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { createBridgeMetrics, type BridgeMetrics } from './bridge-metrics.js';
import { createDeviceMetrics, type DeviceMetrics } from './device-metrics.js';

/** The Prometheus registry of one Parley instance (never prom-client's global one). */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly wsSlowConsumers: Counter;
  /** gRPC calls by method (full path) and status name, and their latency. */
  readonly grpcCalls: Counter<'method' | 'code'>;
  readonly grpcDuration: Histogram<'method' | 'code'>;
  readonly grpcSlowSubscribers: Counter;
  /** Background tasks a worker finished, by type and outcome (ok, failed, unknown, dead). */
  readonly tasks: Counter<'task_type' | 'outcome'>;
  readonly devices: DeviceMetrics;
  readonly bridges: BridgeMetrics;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  // The event-loop lag is sampled every 100 ms, not prom-client's 10: a sample is a timer
  // wake-up, and 100 a second cost an idle process about 8 ms of CPU a second (0.8% of a
  // core per process: the cluster shape runs four).
  collectDefaultMetrics({
    register: registry,
    prefix: 'parley_',
    eventLoopMonitoringPrecision: 100,
  });
  return {
    registry,
    httpRequests: new Counter({
      name: 'parley_http_requests_total',
      help: 'HTTP requests by route, method and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'parley_http_request_duration_seconds',
      help: 'HTTP request latency by route, method and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    wsSlowConsumers: new Counter({
      name: 'parley_ws_slow_consumer_closes_total',
      help: 'WebSocket connections closed because their send queue passed its bound.',
      registers: [registry],
    }),
    grpcCalls: new Counter({
      name: 'parley_grpc_calls_total',
      help: 'gRPC calls by method and status code.',
      labelNames: ['method', 'code'],
      registers: [registry],
    }),
    grpcDuration: new Histogram({
      name: 'parley_grpc_call_duration_seconds',
      help: 'gRPC call latency by method and status code (streams: their whole life).',
      labelNames: ['method', 'code'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    grpcSlowSubscribers: new Counter({
      name: 'parley_grpc_slow_subscriber_cutoffs_total',
      help: 'MessageService.Subscribe streams cut off because their queue passed its bound.',
      registers: [registry],
    }),
    tasks: new Counter({
      name: 'parley_tasks_total',
      help: 'Background tasks handled by this worker, by type and outcome.',
      labelNames: ['task_type', 'outcome'],
      registers: [registry],
    }),
    devices: createDeviceMetrics(registry),
    bridges: createBridgeMetrics(registry),
  };
}
