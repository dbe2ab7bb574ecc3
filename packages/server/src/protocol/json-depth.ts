/**
 * Nesting-depth bounds for JSON input. Parsing, validating or encoding a document nested
 * thousands of levels deep recurses once per level and ends in a stack overflow, so every edge
 * measures the depth of the raw text before parsing it, in one pass without recursion.
 */

/** Deepest nesting accepted in a whole request body, WebSocket frame or config file. */
export const MAX_DOCUMENT_DEPTH = 64;
/** Deepest nesting accepted in a message's content (the content object is level 1). */
export const MAX_CONTENT_DEPTH = 32;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;

/**
 * The deepest nesting of objects and arrays in JSON text, counting brackets outside strings.
 * Stops counting once past `limit` (the answer is then `limit + 1`). Malformed text gets a
 * number too; the parser reports its errors afterwards.
 */
export function jsonDepth(text: string, limit = Number.MAX_SAFE_INTEGER): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    }
  }
  return deepest;
}

/** Whether JSON text nests deeper than `limit`. */
export const nestsDeeperThan = (text: string, limit: number): boolean =>
  jsonDepth(text, limit) > limit;

/** The message for input nested too deep, the same at every edge. */
export const tooDeepMessage = (what: string, limit: number): string =>
  `${what} is nested more than ${limit} levels deep.`;
