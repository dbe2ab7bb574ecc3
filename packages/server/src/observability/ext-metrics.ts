import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ExtMetrics } from '../extensions/ext-metrics.js';

const BREAKER_STATE = { closed: 0, half_open: 1, open: 2 } as const;

/** Extension calls by type and instance: count, latency, errors and timeouts, breaker state. */
export function createExtMetrics(registry: Registry): ExtMetrics {
  const labels = ['type', 'instance', 'method', 'outcome'] as const;
  const calls = new Counter({
    name: 'parley_ext_calls_total',
    help: 'Extension calls by type, instance, method and outcome (ok, timeout, unavailable, error, breaker_open).',
    labelNames: labels,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'parley_ext_call_duration_seconds',
    help: 'Extension call latency by type, instance, method and outcome.',
    labelNames: labels,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const breaker = new Gauge({
    name: 'parley_ext_breaker_state',
    help: 'Circuit breaker of an extension instance: 0 closed, 1 half-open, 2 open.',
    labelNames: ['type', 'instance'],
    registers: [registry],
  });
  return {
    call(type, instance, method, outcome, seconds) {
      calls.inc({ type, instance, method, outcome });
      latency.observe({ type, instance, method, outcome }, seconds);
    },
    breaker(type, instance, state) {
      breaker.set({ type, instance }, BREAKER_STATE[state]);
    },
  };
}
