/** The errors of @parley/ext: one catalogue of stable codes, and the business rejection. */

/**
 * Stable codes of {@link ExtError}.
 *
 * - `INVALID_OPTIONS`: `serveExtension` was given options it cannot work with.
 * - `REGISTRATION_FAILED`: the first registration in etcd did not succeed.
 * - `REPLY_CLOSED`: an async reply was used after its final status was sent.
 * - `CALLBACK_FAILED`: Parley's `ExtCallbackService.Complete` could not be reached, or refused
 *   the result (`ok: false`), after the retries.
 */
export type ExtErrorCode =
  'INVALID_OPTIONS' | 'REGISTRATION_FAILED' | 'REPLY_CLOSED' | 'CALLBACK_FAILED';

/** An error of the library itself (not a verdict on a message): see {@link ExtErrorCode}. */
export class ExtError extends Error {
  readonly code: ExtErrorCode;

  constructor(code: ExtErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExtError';
    this.code = code;
  }
}

/**
 * Thrown by a handler (or by `parsePayload`) to refuse a message: Parley does not deliver it and
 * shows `reason` to the sender. A sync call answers `accept: false` with `MSG_REJECTED`; an async
 * one completes with `MSG_REJECTED`. Any other error a handler throws is a failure of the
 * service, not a verdict on the message.
 */
export class ExtRejection extends Error {
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'ExtRejection';
    this.reason = reason;
  }
}
