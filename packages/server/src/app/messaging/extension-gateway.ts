import type { ExtEnvelope, ExtMode, ExtTypeConfig, HandleResult } from '../../domain/extension.js';

/**
 * What the message path needs of the extension router (extensions/ext-router.ts implements
 * it): how a type is handled, and calls guarded by deadline, breaker and bulkhead. Calls fail
 * with ExtCallError (ports/extensions.ts) when the service cannot be reached in time.
 */
export interface ExtensionGateway {
  route(msgType: string): { mode: ExtMode | undefined; config: ExtTypeConfig } | undefined;
  handle(envelope: ExtEnvelope): Promise<HandleResult>;
  /** Adds the callback token of the instance called to the envelope's tags. */
  handleAsync(envelope: ExtEnvelope): Promise<boolean>;
  available(msgType: string): boolean;
  deadlineFor(msgType: string): number;
}

/** No extension services: every type that is not built in is unknown. */
export const NO_EXTENSIONS: ExtensionGateway = {
  route: () => undefined,
  handle: () => Promise.reject(new Error('no extension services')),
  handleAsync: () => Promise.reject(new Error('no extension services')),
  available: () => false,
  deadlineFor: () => 0,
};
