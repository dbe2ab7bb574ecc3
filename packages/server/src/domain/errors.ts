/**
 * Errors are values with stable codes and reasons. The codes are the gRPC status names of the
 * public protocol; each transport maps them once (HTTP status, WS error frame, gRPC status).
 * The reason says which error it is, stably, whatever the message's wording (docs/grpc.md,
 * "Error reasons"): REST and WebSocket errors carry it as `reason`, gRPC errors in ErrorInfo.
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

/**
 * The catalogue: every reason and the code it is sent with. A reason is never renamed or
 * reused for another error; new ones are added. Each code is also a reason of its own, for
 * errors that no more specific reason covers.
 */
export const ERROR_REASONS = {
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  PERMISSION_DENIED: 'PERMISSION_DENIED',
  NOT_FOUND: 'NOT_FOUND',
  ALREADY_EXISTS: 'ALREADY_EXISTS',
  FAILED_PRECONDITION: 'FAILED_PRECONDITION',
  RESOURCE_EXHAUSTED: 'RESOURCE_EXHAUSTED',
  UNAVAILABLE: 'UNAVAILABLE',
  INTERNAL: 'INTERNAL',
  // INVALID_ARGUMENT
  UNKNOWN_MESSAGE_TYPE: 'INVALID_ARGUMENT',
  // UNAUTHENTICATED
  TOKEN_MISSING: 'UNAUTHENTICATED',
  TOKEN_INVALID: 'UNAUTHENTICATED',
  SESSION_ENDED: 'UNAUTHENTICATED',
  WRONG_CREDENTIALS: 'UNAUTHENTICATED',
  REFRESH_TOKEN_INVALID: 'UNAUTHENTICATED',
  REFRESH_TOKEN_REUSED: 'UNAUTHENTICATED',
  // PERMISSION_DENIED
  NOT_A_MEMBER: 'PERMISSION_DENIED',
  BLOCKED: 'PERMISSION_DENIED',
  NOT_FRIENDS: 'PERMISSION_DENIED',
  NOT_A_CONTACT: 'PERMISSION_DENIED',
  GUEST_RESTRICTED: 'PERMISSION_DENIED',
  ROLE_REQUIRED: 'PERMISSION_DENIED',
  MUTED: 'PERMISSION_DENIED',
  INVITE_ONLY: 'PERMISSION_DENIED',
  NOT_THE_SENDER: 'PERMISSION_DENIED',
  NOT_THE_RECIPIENT: 'PERMISSION_DENIED',
  USER_ID_MISMATCH: 'PERMISSION_DENIED',
  CALLBACK_TOKEN_INVALID: 'PERMISSION_DENIED',
  MESSAGE_NOT_PENDING: 'PERMISSION_DENIED',
  // NOT_FOUND
  USER_NOT_FOUND: 'NOT_FOUND',
  CONVERSATION_NOT_FOUND: 'NOT_FOUND',
  GROUP_NOT_FOUND: 'NOT_FOUND',
  MESSAGE_NOT_FOUND: 'NOT_FOUND',
  MEMBER_NOT_FOUND: 'NOT_FOUND',
  SESSION_NOT_FOUND: 'NOT_FOUND',
  FRIEND_REQUEST_NOT_FOUND: 'NOT_FOUND',
  JOIN_REQUEST_NOT_FOUND: 'NOT_FOUND',
  INVITATION_NOT_FOUND: 'NOT_FOUND',
  BRIDGE_ACCOUNT_NOT_FOUND: 'NOT_FOUND',
  WORKER_TOKEN_NOT_FOUND: 'NOT_FOUND',
  // ALREADY_EXISTS
  USERNAME_TAKEN: 'ALREADY_EXISTS',
  ALREADY_FRIENDS: 'ALREADY_EXISTS',
  // FAILED_PRECONDITION
  MESSAGE_RECALLED: 'FAILED_PRECONDITION',
  RECALL_WINDOW_PASSED: 'FAILED_PRECONDITION',
  CONVERSATION_FULL: 'FAILED_PRECONDITION',
  OWNER_CANNOT_LEAVE: 'FAILED_PRECONDITION',
  ALREADY_SETTLED: 'FAILED_PRECONDITION',
  YOU_BLOCKED_THEM: 'FAILED_PRECONDITION',
  EXTENSION_REFUSED: 'FAILED_PRECONDITION',
  // RESOURCE_EXHAUSTED
  RATE_LIMITED: 'RESOURCE_EXHAUSTED',
  MESSAGE_TOO_LARGE: 'RESOURCE_EXHAUSTED',
  SLOW_CONSUMER: 'RESOURCE_EXHAUSTED',
  // UNAVAILABLE
  ENGINE_UNAVAILABLE: 'UNAVAILABLE',
  SERVER_BUSY: 'UNAVAILABLE',
  EXTENSION_UNAVAILABLE: 'UNAVAILABLE',
  SHUTTING_DOWN: 'UNAVAILABLE',
} as const satisfies Record<string, ErrorCode>;

export type ErrorReason = keyof typeof ERROR_REASONS;

export interface ErrorDetails {
  /** The input field the error is about, when there is one. */
  readonly field?: string;
  /** Milliseconds after which a rate-limited caller may try again. */
  readonly retryAfterMs?: number;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly reason: ErrorReason;
  readonly details: ErrorDetails;

  /** Prefer `appError(reason, ...)`: it takes the code from the catalogue. */
  constructor(
    code: ErrorCode,
    message: string,
    details: ErrorDetails = {},
    options?: ErrorOptions & { reason?: ErrorReason },
  ) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.reason = options?.reason ?? code;
    this.details = details;
  }
}

/** An error of the catalogue: its code is the reason's. */
export const appError = (
  reason: ErrorReason,
  message: string,
  details: ErrorDetails = {},
  options?: ErrorOptions,
): AppError => new AppError(ERROR_REASONS[reason], message, details, { ...options, reason });

export const invalidArgument = (message: string, field?: string): AppError =>
  new AppError('INVALID_ARGUMENT', message, field === undefined ? {} : { field });

export const unauthenticated = (
  message = 'The access token is missing, invalid or expired.',
  reason: ErrorReason = 'TOKEN_INVALID',
) => appError(reason, message);

export const notFound = (message: string, reason: ErrorReason = 'NOT_FOUND'): AppError =>
  appError(reason, message);

/** UNAVAILABLE: an engine Parley needs does not answer; the caller may try again later. */
export const unavailable = (message: string): AppError => appError('ENGINE_UNAVAILABLE', message);

/** RESOURCE_EXHAUSTED from a rate limit, saying when the caller may try again. */
export const rateLimited = (message: string, retryAfterMs: number): AppError =>
  appError('RATE_LIMITED', message, { retryAfterMs });

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;
