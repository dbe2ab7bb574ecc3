import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { HealthService } from '../../../app/ops/health-service.js';

const Health = z.object({
  status: z.enum(['healthy', 'unhealthy']),
  connections: z.number().int(),
  store: z.object({
    engine: z.string(),
    status: z.enum(['up', 'down']),
    latency_ms: z.number(),
    error: z.string().optional(),
  }),
  uptime_s: z.number().int(),
});

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
        summary: 'Whether this instance takes new work (503 while starting or draining).',
        response: { 200: z.object({ ready: z.boolean() }), 503: z.object({ ready: z.boolean() }) },
      },
    },
    async (_request, reply) => {
      const ready = health.isReady();
      return reply.status(ready ? 200 : 503).send({ ready });
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
