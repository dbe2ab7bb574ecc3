/** Part of the composition root: the extension registry, invoker and router. */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { GrpcExtInvoker } from '../adapters/ext-invoker/grpc-invoker.js';
import { EtcdExtRegistry } from '../adapters/registry/registry-etcd.js';
import { toInstance, toTypeConfig } from '../adapters/registry/registry-records.js';
import { StaticExtRegistry } from '../adapters/registry/registry-static.js';
import type { Config } from '../config/schema.js';
import { ExtRouter } from '../extensions/ext-router.js';
import { createExtMetrics } from '../observability/ext-metrics.js';
import type { CallbackTokens, ExtRegistry } from '../ports/extensions.js';

export interface ExtensionParts {
  readonly registry: ExtRegistry;
  readonly router: ExtRouter;
  readonly invoker: GrpcExtInvoker;
}

export function composeExtensions(
  config: Config,
  logger: Logger,
  registry: Registry,
  callbackTokens: CallbackTokens,
): ExtensionParts {
  const extRegistry: ExtRegistry =
    config.etcd_endpoints === undefined
      ? new StaticExtRegistry({
          instances: Object.entries(config.ext.services).flatMap(([type, list]) =>
            list.map((i) => toInstance(type, i.instance_id, i)),
          ),
          configs: Object.fromEntries(
            Object.entries(config.ext.types).map(([type, c]) => [type, toTypeConfig(c)]),
          ),
        })
      : new EtcdExtRegistry({
          endpoints: config.etcd_endpoints.split(',').map((e) => e.trim()),
          onInvalid: (key, err) =>
            logger.warn({ key, err }, 'ignoring an unreadable extension record'),
        });
  const invoker = new GrpcExtInvoker();
  const router = new ExtRouter(extRegistry, invoker, callbackTokens, createExtMetrics(registry), {
    defaultTimeoutMs: config.ext_timeout_ms,
    concurrency: config.ext_concurrency,
    queue: config.ext_queue,
    breakerFailures: config.ext_breaker_failures,
    breakerOpenMs: config.ext_breaker_open_ms,
  });
  return { registry: extRegistry, router, invoker };
}
