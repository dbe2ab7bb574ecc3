/**
 * Shapes and sizes of gRPC request fields, checked before a use case runs (REST's zod schemas
 * do the same for JSON). proto3 has no "absent" for scalars: '' and 0 mean "not given".
 */
import { invalidArgument } from '../../domain/errors.js';
import { ID_PATTERN } from '../../domain/ids.js';
import { MAX_CONTENT_DEPTH, nestsDeeperThan, tooDeepMessage } from '../../protocol/json-depth.js';

/** An id (user, conversation, group): 1-64 letters, digits, '_' or '-'. */
export function requireId(value: string, field: string): string {
  if (!ID_PATTERN.test(value)) {
    throw invalidArgument(`${field} must be an id: 1–64 letters, digits, "_" or "-".`, field);
  }
  return value;
}

/** An id or nothing (''). */
export const optionalId = (value: string, field: string): string | undefined =>
  value === '' ? undefined : requireId(value, field);

/** A page size: 0 for the default, else 1..max. */
export function limitOf(value: number, field: string, max: number): number | undefined {
  if (value === 0) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw invalidArgument(`${field} must be between 1 and ${max} (0 for the default).`, field);
  }
  return value;
}

/** A seq or a count: a whole number from 0. */
export function nonNegative(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalidArgument(`${field} must be a whole number from 0.`, field);
  }
  return value;
}

/** A cursor handed out by a previous page ('' for the first); the use case checks its form. */
export function cursorOf(value: string, field = 'cursor'): string | undefined {
  if (value.length > 512)
    throw invalidArgument(`${field} is not one this server handed out.`, field);
  return value === '' ? undefined : value;
}

/** Free text with an upper bound in characters. */
export function boundedText(value: string, field: string, max: number): string {
  if (value.length > max)
    throw invalidArgument(`${field} must be at most ${max} characters.`, field);
  return value;
}

/**
 * A message's content: JSON text of an object, checked for depth before it is parsed. Its
 * size is the send use case's to check (max_content_bytes, as over REST and WebSocket).
 */
export function jsonContent(text: string, field: string, maxBytes: number): unknown {
  if (Buffer.byteLength(text) > maxBytes) {
    throw invalidArgument(`${field} is larger than the ${maxBytes}-byte limit.`, field);
  }
  if (nestsDeeperThan(text, MAX_CONTENT_DEPTH)) {
    throw invalidArgument(tooDeepMessage(field, MAX_CONTENT_DEPTH), field);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidArgument(`${field} must be JSON text, e.g. {"text":"hello"}.`, field);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidArgument(`${field} must be a JSON object, e.g. {"text":"hello"}.`, field);
  }
  return value;
}
