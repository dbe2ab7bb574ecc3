import type { Rng } from './prng.js';
import { jsonDepth, MAX_CONTENT_DEPTH, MAX_DOCUMENT_DEPTH } from '../../src/protocol/json-depth.js';

/** Strings that have broken parsers before: control characters, lone surrogates, NUL, RTL. */
const NASTY = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u0041\u0042',
  '💬🧗‍♀️',
  '\r\n\t\v\f',
  '../../etc/passwd',
  '%00%ff%2e%2e',
  "'; DROP TABLE messages; --",
  '__proto__',
  'constructor',
  '{"a":1}',
  '<script>alert(1)</script>',
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
];

const NUMBERS = [
  0,
  -0,
  -1,
  1,
  0.5,
  2 ** 31,
  2 ** 53,
  -(2 ** 53),
  Number.MAX_SAFE_INTEGER + 2,
  1e308,
  -1e308,
  5e-324,
];

/** A string of random character classes, up to `max` characters. */
export function randomString(rng: Rng, max = 64): string {
  const mode = rng.int(0, 5);
  if (mode === 0) return rng.pick(NASTY);
  const length = rng.int(0, max);
  let text = '';
  for (let i = 0; i < length; i += 1) {
    if (mode === 1) text += String.fromCharCode(rng.int(0x20, 0x7e));
    else if (mode === 2) text += String.fromCharCode(rng.int(0, 0xffff));
    else if (mode === 3) text += rng.pick(['a', 'Z', '0', '_', '-', '.', ':']);
    else text += String.fromCodePoint(rng.int(0, 0x10ffff));
  }
  return text;
}

/** Any JSON value, small and shallow, of a random type. */
export function randomJson(rng: Rng, depth = 0): unknown {
  const kind = rng.int(0, depth > 2 ? 4 : 6);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return rng.chance(0.5);
    case 2:
      return rng.pick(NUMBERS);
    case 3:
      return rng.int(-10, 1000);
    case 4:
      return randomString(rng);
    case 5:
      return Array.from({ length: rng.int(0, 4) }, () => randomJson(rng, depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = rng.int(0, 4); i > 0; i -= 1) {
        // defineProperty, so that a key named __proto__ is a key and not a prototype.
        Object.defineProperty(object, randomString(rng, 12), {
          value: randomJson(rng, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return object;
    }
  }
}

/**
 * JSON text nested `levels` deep (arrays, objects or a mix), built as text: the generator
 * must not itself overflow the stack at 100,000 levels.
 */
export function deepJson(rng: Rng, levels: number): string {
  const style = rng.int(0, 2);
  if (style === 0) return '['.repeat(levels) + ']'.repeat(levels);
  if (style === 1) return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
  return '{"x":['.repeat(levels / 2) + 'null' + ']}'.repeat(levels / 2);
}

/** A nesting depth past the limit: mostly just past it, sometimes very deep. */
export function excessiveDepth(rng: Rng): number {
  return rng.chance(0.95) ? rng.int(33, 2_000) : rng.int(2_000, 100_000);
}

/**
 * A value for a field: mostly a plausible one (`good`), often of a wrong type or shape, so the
 * cases reach past the first check.
 */
export function fieldValue(rng: Rng, good: () => unknown): unknown {
  return rng.chance(0.5) ? good() : randomJson(rng);
}

/**
 * Whether Parley must refuse JSON text for its nesting (docs/protocol.md): a whole body or
 * frame deeper than 64 levels, or — in a request that sends or edits a message — a
 * `content` deeper than 32 (the content object is level 1). Deep parts of a document that an
 * op ignores are within the document bound and harmless.
 */
export function mustRefuseForDepth(document: string, sendsContent: boolean): boolean {
  if (jsonDepth(document, MAX_DOCUMENT_DEPTH) > MAX_DOCUMENT_DEPTH) return true;
  if (!sendsContent) return false;
  const at = document.indexOf('"content":');
  return at >= 0 && jsonDepth(document.slice(at), MAX_CONTENT_DEPTH) > MAX_CONTENT_DEPTH;
}
