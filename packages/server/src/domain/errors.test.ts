import { describe, expect, it } from 'vitest';
import { AppError, appError, ERROR_CODES, ERROR_REASONS, type ErrorReason } from './errors.js';

describe('the error catalogue', () => {
  it('has reasons in the form google.rpc.ErrorInfo asks for', () => {
    for (const reason of Object.keys(ERROR_REASONS)) {
      expect(reason).toMatch(/^[A-Z][A-Z0-9_]+[A-Z0-9]$/);
      expect(reason.length).toBeLessThanOrEqual(63);
    }
  });

  it('has each code as a reason of its own, sent with that code', () => {
    for (const code of ERROR_CODES) expect(ERROR_REASONS[code]).toBe(code);
  });

  it('gives an error of the catalogue the code of its reason', () => {
    for (const [reason, code] of Object.entries(ERROR_REASONS)) {
      const err = appError(reason as ErrorReason, 'x');
      expect([err.code, err.reason]).toEqual([code, reason]);
    }
  });

  it('gives an error without a reason its code as reason', () => {
    expect(new AppError('NOT_FOUND', 'x').reason).toBe('NOT_FOUND');
  });
});
