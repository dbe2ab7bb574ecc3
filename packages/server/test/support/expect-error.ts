import { expect } from 'vitest';
import type { RawResponse } from './test-server.js';

/** The answer is the protocol's error shape with this status and code. */
export function expectError(res: RawResponse, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({
    error: expect.objectContaining({
      code,
      reason: expect.stringMatching(/^[A-Z][A-Z0-9_]+[A-Z0-9]$/),
      message: expect.any(String),
      trace_id: expect.any(String),
    }),
  });
  expect(res.body.error.message.length).toBeGreaterThan(5);
}
