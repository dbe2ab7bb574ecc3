import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { HealthService } from '../../../app/ops/health-service.js';

const EngineState = z.object({
  status: z.enum(['up', 'down']),
  latency_ms: z.number(),
  error: z.string().optional(),
});

const Health = z.object({
  status: z.enum(['healthy', 'unhealthy']),
  node_id: z.string(),
  roles: z.array(z.string()),
  connections: z.number().int(),
  store: z.object({
    engine: z.string(),
    status: z.enum(['up', 'down']),
    latency_ms: z.number(),
    error: z.string().optional(),
  }),
  engines: z.record(z.string(), EngineState),
  grpc_status: z
    .enum(['connected', 'connecting', 'disconnected', 'disabled'])
    .describe('The link to the AI service (seed 002; disabled: none configured).'),
  device_connections: z.number().int(),
  uptime_s: z.number().int(),
});

const Ready = z.object({ ready: z.boolean(), down: z.array(z.string()).optional() });

/** /health, /ready and /metrics: no auth, for probes and scrapers. */
export const opsRoutes: FastifyPluginAsyncZod<{
  health: HealthService;
  registry: Registry;
}> = async (app, { health, registry }) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['operations'],
        summary: 'Liveness and the state of the store (503 when unhealthy).',
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const report = await health.check();
      return reply.status(report.status === 'healthy' ? 200 : 503).send(report);
    },
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['operations'],
        summary:
          'Whether this instance takes new work (503 while starting, draining, or while an engine it needs does not answer).',
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_request, reply) => {
      const readiness = await health.readiness();
      return reply.status(readiness.ready ? 200 : 503).send(readiness);
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics.', hide: false } },
    async (_request, reply) => {
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    },
  );
};
