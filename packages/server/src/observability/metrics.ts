import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

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
  /** Members a large-group fan-out task walked, and the users it reached online. */
  readonly fanoutMembers: Counter<'state'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'parley_' });
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
    fanoutMembers: new Counter({
      name: 'parley_fanout_members_total',
      help: 'Members walked by large-group fan-out tasks (state=walked) and reached online (state=online).',
      labelNames: ['state'],
      registers: [registry],
    }),
  };
}
