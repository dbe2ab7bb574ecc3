/** The content schema of each built-in message type, and the content size limit. */
import { z } from 'zod';
import { invalidArgument } from '../domain/errors.js';
import { MESSAGE_TYPE_PATTERN } from '../domain/message.js';
import { MAX_CONTENT_DEPTH, nestsDeeperThan, tooDeepMessage } from './json-depth.js';

const url = z
  .string()
  .max(2048)
  .refine((v) => /^https?:\/\/[^\s]+$/i.test(v), { message: 'must be an absolute http(s) URL' });
const size = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const dimension = z.number().int().min(0).max(100_000);
const mime = z.string().max(255);
const durationMs = z
  .number()
  .int()
  .min(0)
  .max(7 * 24 * 3600 * 1000);

export const BUILT_IN_CONTENT = {
  text: z.object({ text: z.string().min(1) }).strict(),
  image: z
    .object({
      url,
      width: dimension.optional(),
      height: dimension.optional(),
      size: size.optional(),
      mime: mime.optional(),
      thumbnail_url: url.optional(),
    })
    .strict(),
  file: z
    .object({ url, name: z.string().min(1).max(255), size: size.optional(), mime: mime.optional() })
    .strict(),
  audio: z
    .object({ url, duration_ms: durationMs, size: size.optional(), mime: mime.optional() })
    .strict(),
  video: z
    .object({
      url,
      duration_ms: durationMs.optional(),
      width: dimension.optional(),
      height: dimension.optional(),
      size: size.optional(),
      mime: mime.optional(),
      thumbnail_url: url.optional(),
    })
    .strict(),
  location: z
    .object({
      latitude: z.number().min(-90).max(90),
      longitude: z.number().min(-180).max(180),
      name: z.string().max(255).optional(),
      address: z.string().max(1024).optional(),
    })
    .strict(),
  custom: z
    .object({ custom_type: z.string().max(64).optional(), data: z.unknown() })
    .strict()
    .refine((v) => v.data !== undefined, { message: 'data is required', path: ['data'] }),
} as const;

export type BuiltInType = keyof typeof BUILT_IN_CONTENT;

export const isBuiltInType = (type: string): type is BuiltInType =>
  Object.prototype.hasOwnProperty.call(BUILT_IN_CONTENT, type);

/**
 * Validates a message's type and content and returns the content as the JSON text to store.
 * `maxBytes` bounds the JSON text. A type that is not built in is refused until an extension
 * service handles it.
 */
export function encodeContent(type: string, content: unknown, maxBytes: number): string {
  const text = encodeAnyContent(type, content, maxBytes);
  if (!isBuiltInType(type)) {
    throw invalidArgument(`Unknown message type "${type}": no service handles it.`, 'type');
  }
  const result = BUILT_IN_CONTENT[type].safeParse(content);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = ['content', ...(issue?.path ?? [])].join('.');
    throw invalidArgument(`${path}: ${issue?.message ?? 'invalid'}`, path);
  }
  if (hasNul(text)) throw invalidArgument('content must not contain NUL characters.', 'content');
  return text;
}

/**
 * The checks every type's content gets, built in or not: a well-formed type name and a JSON
 * object within the size bound. Returns the JSON text.
 */
export function encodeAnyContent(type: string, content: unknown, maxBytes: number): string {
  if (!MESSAGE_TYPE_PATTERN.test(type)) {
    throw invalidArgument('type must match ^[a-z][a-z0-9_.-]{0,63}$.', 'type');
  }
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw invalidArgument('content must be a JSON object.', 'content');
  }
  const text = JSON.stringify(content);
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw invalidArgument(`content is larger than ${maxBytes} bytes as JSON.`, 'content');
  }
  if (nestsDeeperThan(text, MAX_CONTENT_DEPTH)) {
    throw invalidArgument(tooDeepMessage('content', MAX_CONTENT_DEPTH), 'content');
  }
  return text;
}

// JSON.stringify writes NUL as \u0000; PostgreSQL's jsonb and some clients refuse it.
const hasNul = (json: string): boolean => json.includes('\\u0000');
