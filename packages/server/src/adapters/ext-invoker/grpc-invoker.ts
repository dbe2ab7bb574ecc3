import { randomBytes } from 'node:crypto';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { ExtMessageServiceClient } from '@parley/proto';
import type { ExtEnvelope, ExtInstance, HandleResult } from '../../domain/extension.js';
import { ExtCallError, type ExtInvoker } from '../../ports/extensions.js';
import { fromHandleResponse, toExtMessage } from './envelope-codec.js';

const CHANNEL_OPTIONS = {
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
  // Reconnect quickly after an instance restarts; the breaker keeps traffic away meanwhile.
  'grpc.initial_reconnect_backoff_ms': 200,
  'grpc.max_reconnect_backoff_ms': 2_000,
};

/** Calls extension services over gRPC: one long-lived channel per address, a deadline per call. */
export class GrpcExtInvoker implements ExtInvoker {
  readonly #clients = new Map<string, ExtMessageServiceClient>();

  handle(instance: ExtInstance, envelope: ExtEnvelope, deadlineMs: number): Promise<HandleResult> {
    return new Promise((resolve, reject) => {
      this.#client(instance.addr).handle(
        { message: toExtMessage(envelope) },
        traceMetadata(envelope),
        { deadline: Date.now() + deadlineMs },
        (err, response) => (err ? reject(toCallError(err)) : resolve(fromHandleResponse(response))),
      );
    });
  }

  handleAsync(instance: ExtInstance, envelope: ExtEnvelope, deadlineMs: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.#client(instance.addr).handleAsync(
        { message: toExtMessage(envelope) },
        traceMetadata(envelope),
        { deadline: Date.now() + deadlineMs },
        (err, ack) => (err ? reject(toCallError(err)) : resolve(ack.accepted)),
      );
    });
  }

  retain(addrs: ReadonlySet<string>): void {
    for (const [addr, client] of this.#clients) {
      if (!addrs.has(addr)) {
        client.close();
        this.#clients.delete(addr);
      }
    }
  }

  close(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }

  #client(addr: string): ExtMessageServiceClient {
    let client = this.#clients.get(addr);
    if (client === undefined) {
      client = new ExtMessageServiceClient(addr, credentials.createInsecure(), CHANNEL_OPTIONS);
      this.#clients.set(addr, client);
    }
    return client;
  }
}

/**
 * W3C trace context for the call: the causing request's trace (a new one without it) and a
 * new span of Parley's, so an extension's logs line up with Parley's under one trace id.
 */
function traceMetadata(envelope: ExtEnvelope): Metadata {
  const metadata = new Metadata();
  const traceId = envelope.traceId ?? randomBytes(16).toString('hex');
  metadata.set('traceparent', `00-${traceId}-${randomBytes(8).toString('hex')}-01`);
  return metadata;
}

function toCallError(err: ServiceError): ExtCallError {
  switch (err.code) {
    case status.DEADLINE_EXCEEDED:
      return new ExtCallError('timeout', 'The extension did not answer in time.');
    case status.UNAVAILABLE:
      return new ExtCallError('unavailable', `The extension is unavailable: ${err.details}`);
    default:
      return new ExtCallError('error', `The extension failed: ${err.details || err.message}`);
  }
}
