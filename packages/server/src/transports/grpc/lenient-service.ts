import {
  status,
  type Server,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';

/** Stands for a request whose bytes did not decode as the method's message. */
const UNDECODABLE: unique symbol = Symbol('undecodable request');

/**
 * Adds a service whose requests that fail to decode get INVALID_ARGUMENT with a clear message.
 * grpc-js would answer INTERNAL for them, as if the server had failed: bad input from a
 * client is the client's error. Applies to methods whose requests are single messages.
 */
export function addLenientService(
  server: Server,
  definition: ServiceDefinition,
  implementation: UntypedServiceImplementation,
): void {
  const lenient: Record<string, unknown> = {};
  const handlers: UntypedServiceImplementation = {};
  for (const [name, method] of Object.entries(definition)) {
    const handler = implementation[name];
    if (method.requestStream || handler === undefined) {
      lenient[name] = method;
      if (handler !== undefined) handlers[name] = handler;
      continue;
    }
    lenient[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer): unknown => {
        try {
          return method.requestDeserialize(bytes);
        } catch {
          return UNDECODABLE;
        }
      },
    };
    handlers[name] = refuseUndecodable(name, handler);
  }
  server.addService(lenient as ServiceDefinition, handlers);
}

function refuseUndecodable(name: string, handler: (...args: never[]) => unknown) {
  return (call: { request: unknown; emit?: unknown }, callback?: unknown): unknown => {
    if (call.request !== UNDECODABLE) {
      return (handler as (c: unknown, cb: unknown) => unknown)(call, callback);
    }
    const error = {
      code: status.INVALID_ARGUMENT,
      details: `The ${name} request is not a valid protobuf message of its type.`,
    };
    if (typeof callback === 'function') (callback as (err: unknown) => void)(error);
    else (call as unknown as { emit(e: string, err: unknown): void }).emit('error', error);
    return undefined;
  };
}
