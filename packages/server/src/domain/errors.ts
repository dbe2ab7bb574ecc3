/**
 * Errors are values with stable codes. The codes are the gRPC status names of the public
 * protocol; each transport maps them once (HTTP status, WS error frame, gRPC status).
 */
export const ERROR_CODES = [
  'INVALID_ARGUMENT',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'FAILED_PRECONDITION',
  'RESOURCE_EXHAUSTED',
  'UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorDetails {
  /** The input field the error is about, when there is one. */
  readonly field?: string;
  /** Milliseconds after which a rate-limited caller may try again. */
  readonly retryAfterMs?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(
    code: ErrorCode,
    message: string,
    details: ErrorDetails = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }
}

export const invalidArgument = (message: string, field?: string): AppError =>
  new AppError('INVALID_ARGUMENT', message, field === undefined ? {} : { field });

export const unauthenticated = (message = 'The access token is missing, invalid or expired.') =>
  new AppError('UNAUTHENTICATED', message);

export const notFound = (message: string): AppError => new AppError('NOT_FOUND', message);

/** UNAVAILABLE: an engine Parley needs does not answer; the caller may try again later. */
export const unavailable = (message: string): AppError => new AppError('UNAVAILABLE', message);

/** RESOURCE_EXHAUSTED from a rate limit, saying when the caller may try again. */
export const rateLimited = (message: string, retryAfterMs: number): AppError =>
  new AppError('RESOURCE_EXHAUSTED', message, { retryAfterMs });

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;
