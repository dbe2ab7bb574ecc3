import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { traceIdOf } from './trace.js';

const req = (traceparent?: string) =>
  ({ headers: traceparent === undefined ? {} : { traceparent } }) as IncomingMessage;

describe('trace ids', () => {
  it('takes the trace id of a valid traceparent', () => {
    const id = '4bf92f3577b34da6a3ce929d0e0e4736';
    expect(traceIdOf(req(`00-${id}-00f067aa0ba902b7-01`))).toBe(id);
  });

  it('makes a new one for a missing, malformed or all-zero traceparent', () => {
    for (const value of [
      undefined,
      'garbage',
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`,
      `ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01`,
    ]) {
      const id = traceIdOf(req(value));
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(id).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    }
  });
});
