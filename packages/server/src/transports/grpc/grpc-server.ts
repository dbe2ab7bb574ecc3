import {
  Server,
  ServerCredentials,
  ServerInterceptingCall,
  status,
  type ServerInterceptor,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { FILE_DESCRIPTOR_SET_BASE64 } from '@parley/proto';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from 'pino';
import type { Metrics } from '../../observability/metrics.js';
import { addLenientService } from './lenient-service.js';

export interface GrpcServerOptions {
  /** Largest request message accepted; larger ones get RESOURCE_EXHAUSTED from grpc-js. */
  readonly maxMessageBytes: number;
  /** How often an idle connection is pinged, and how long its answer may take. */
  readonly keepaliveTimeMs: number;
  readonly keepaliveTimeoutMs: number;
  /** How long close() lets calls in flight finish before cutting them off. */
  readonly shutdownTimeoutMs: number;
}

/** Clients may ping this often (the extension and AI streams ping every 10 s). */
const MIN_CLIENT_PING_MS = 5_000;
const NAMES = Object.fromEntries(Object.entries(status).map(([name, code]) => [code, name]));

/**
 * Parley's one gRPC server: the public API, the extension callback, health
 * (`grpc.health.v1.Health`) and server reflection. Every service is added through here: its
 * undecodable requests get INVALID_ARGUMENT (lenient-service.ts), and every call is counted
 * per method and status, with its latency.
 */
export class GrpcServer {
  readonly #server: Server;
  readonly #health = new HealthImplementation({ '': 'NOT_SERVING' });
  readonly #services: string[] = [];
  readonly #options: GrpcServerOptions;
  #port = 0;
  #reflecting = false;

  constructor(options: GrpcServerOptions, deps: { logger: Logger; metrics: Metrics }) {
    this.#options = options;
    this.#server = new Server({
      'grpc.max_receive_message_length': options.maxMessageBytes,
      'grpc.keepalive_time_ms': options.keepaliveTimeMs,
      'grpc.keepalive_timeout_ms': options.keepaliveTimeoutMs,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': MIN_CLIENT_PING_MS,
      interceptors: [measure(deps.metrics)],
    });
    this.#health.addToServer(this.#server);
  }

  get port(): number {
    return this.#port;
  }

  /** Adds a service; `name` is its full name (`im.api.MessageService`), for health and reflection. */
  add(name: string, definition: ServiceDefinition, implementation: UntypedServiceImplementation) {
    addLenientService(this.#server, definition, implementation);
    this.#services.push(name);
  }

  /** Health answers SERVING for '' and every service once ready, NOT_SERVING while draining. */
  setServing(serving: boolean): void {
    for (const name of ['', ...this.#services]) {
      this.#health.setStatus(name, serving ? 'SERVING' : 'NOT_SERVING');
    }
  }

  listen(host: string, port: number): Promise<number> {
    if (!this.#reflecting) {
      // Last, so that it describes the services added before.
      this.#reflecting = true;
      new ReflectionService(descriptorPackage(), {
        services: [...this.#services, 'grpc.health.v1.Health'],
      }).addToServer(this.#server);
    }
    return new Promise((resolve, reject) => {
      this.#server.bindAsync(
        joinHostPort(host, port),
        ServerCredentials.createInsecure(),
        (err, bound) => {
          if (err) return reject(err);
          this.#port = bound;
          resolve(bound);
        },
      );
    });
  }

  close(): Promise<void> {
    this.setServing(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#server.forceShutdown();
        resolve();
      }, this.#options.shutdownTimeoutMs).unref();
      this.#server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Counts each call by method and status, with its latency (parley_grpc_*). */
function measure(metrics: Metrics): ServerInterceptor {
  return (method, call) => {
    const started = process.hrtime.bigint();
    return new ServerInterceptingCall(call, {
      sendStatus: (sent, next) => {
        const labels = { method: method.path, code: NAMES[sent.code] ?? String(sent.code) };
        metrics.grpcCalls.inc(labels);
        metrics.grpcDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
        next(sent);
      },
    });
  };
}

/**
 * proto/'s descriptors in the shape @grpc/reflection reads (a proto-loader package definition:
 * objects with `fileDescriptorProtos`), split from the embedded FileDescriptorSet.
 */
function descriptorPackage(): ConstructorParameters<typeof ReflectionService>[0] {
  const files = fileDescriptors(Buffer.from(FILE_DESCRIPTOR_SET_BASE64, 'base64'));
  return { parley: { fileDescriptorProtos: files } } as unknown as ConstructorParameters<
    typeof ReflectionService
  >[0];
}

/** The `file` entries (field 1, length-delimited) of a FileDescriptorSet. */
export function fileDescriptors(set: Buffer): Buffer[] {
  const files: Buffer[] = [];
  let at = 0;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = set[at++];
      if (byte === undefined) throw new Error('truncated descriptor set');
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < set.length) {
    if (varint() !== 0x0a) throw new Error('unexpected field in descriptor set');
    const length = varint();
    files.push(set.subarray(at, at + length));
    at += length;
  }
  return files;
}

/** `host:port`, with an IPv6 host in brackets. */
export const joinHostPort = (host: string, port: number): string =>
  host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
