/** Wire schemas of the REST API: they validate requests and generate /openapi.json. */
import { z } from 'zod';
import { ERROR_CODES } from '../domain/errors.js';
import { ID_PATTERN } from '../domain/ids.js';
import { DEVICE_ID_PATTERN } from '../domain/session.js';
import {
  AVATAR_URL_MAX,
  BIO_MAX,
  NICKNAME_MAX,
  PASSWORD_MAX,
  PASSWORD_MIN,
  USERNAME_PATTERN,
} from '../domain/user.js';

/** The named schemas of the OpenAPI document (components.schemas). */
export const restSchemaRegistry = z.registry<{ id: string }>();
export function named<T extends z.ZodType>(schema: T, id: string): T {
  restSchemaRegistry.add(schema, { id });
  return schema;
}

export const ErrorBody = named(
  z.object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      reason: z.string().describe('Stable reason from the error catalogue (docs/grpc.md).'),
      message: z.string(),
      trace_id: z.string(),
      field: z.string().optional(),
    }),
  }),
  'Error',
);

export const User = named(
  z.object({
    user_id: z.string(),
    username: z.string(),
    nickname: z.string(),
    avatar_url: z.string(),
    bio: z.string(),
    is_guest: z.boolean(),
    created_at: z.number().int(),
  }),
  'User',
);

const username = z
  .string()
  .regex(USERNAME_PATTERN, 'must be 3–32 characters of letters, digits, "_", "." or "-"');
const deviceId = z
  .string()
  .regex(DEVICE_ID_PATTERN, 'must be 1–128 characters of letters, digits, "_", ".", ":" or "-"')
  .optional()
  .describe('Stable id of the client device: one session per device.');
const nickname = z.string().max(NICKNAME_MAX);

export const RegisterBody = z.object({
  username,
  password: z.string().min(PASSWORD_MIN).max(PASSWORD_MAX),
  nickname: nickname.optional(),
  device_id: deviceId,
});

export const LoginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(PASSWORD_MAX),
  device_id: deviceId,
});

export const GuestBody = z
  .object({ nickname: nickname.optional(), device_id: deviceId })
  .nullish()
  .describe('Optional: the whole body may be left out.');

export const RefreshBody = z.object({ refresh_token: z.string().min(1).max(512) });

export const VerifyBody = z.object({ access_token: z.string().min(1).max(4096) });

export const Tokens = named(
  z.object({
    access_token: z.string(),
    refresh_token: z.string(),
    expires_in: z.number().int().describe('Seconds until the access token expires.'),
    session_id: z.string(),
    device_id: z.string(),
  }),
  'Tokens',
);

export const AuthResponse = named(Tokens.extend({ user: User }), 'AuthResponse');

export const TokenInfo = z.object({
  valid: z.literal(true),
  user_id: z.string(),
  session_id: z.string(),
  is_guest: z.boolean(),
  expires_at: z.number().int(),
});

export const Session = named(
  z.object({
    session_id: z.string(),
    device_id: z.string(),
    user_agent: z.string(),
    ip: z.string(),
    created_at: z.number().int(),
    last_used_at: z.number().int(),
    expires_at: z.number().int(),
    current: z.boolean().describe('True for the session of the calling token.'),
  }),
  'Session',
);

const id = z.string().regex(ID_PATTERN, 'is not a well-formed id');
export const IdParams = z.object({ id });
export const UserIdParams = z.object({ user_id: id });

export const ProfilePatch = z
  .object({
    nickname: nickname.optional(),
    avatar_url: z.string().max(AVATAR_URL_MAX).optional(),
    bio: z.string().max(BIO_MAX).optional(),
  })
  .strict();

export const UserSearchQuery = z.object({
  query: z.string().min(1).max(32),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(64).optional(),
});

export const UserEnvelope = z.object({ user: User });
