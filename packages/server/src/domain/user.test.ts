import { describe, expect, it } from 'vitest';
import type { AppError } from './errors.js';
import {
  assertValidAvatarUrl,
  assertValidPassword,
  assertValidUsername,
  normalizeNickname,
  usernameKey,
} from './user.js';

const code = (fn: () => void) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return (err as AppError).code;
  }
};

describe('account rules', () => {
  it('accepts 3–32 letters, digits, "_", "." and "-" as a username', () => {
    for (const ok of ['abc', 'A.b-c_9', 'x'.repeat(32)])
      expect(code(() => assertValidUsername(ok))).toBe('ok');
    for (const bad of ['ab', 'x'.repeat(33), 'a b', 'ålice', '名字名字', 'a@b', "a'--", '']) {
      expect(code(() => assertValidUsername(bad))).toBe('INVALID_ARGUMENT');
    }
    expect(usernameKey('AbC.d')).toBe('abc.d');
  });

  it('wants passwords of at least 10 characters', () => {
    expect(code(() => assertValidPassword('123456789'))).toBe('INVALID_ARGUMENT');
    expect(code(() => assertValidPassword('1234567890'))).toBe('ok');
  });

  it('trims nicknames, refuses control characters, falls back when empty', () => {
    expect(normalizeNickname('  Zoë 🌸 ', 'zoe')).toBe('Zoë 🌸');
    expect(normalizeNickname('   ', 'zoe')).toBe('zoe');
    expect(normalizeNickname(undefined, 'zoe')).toBe('zoe');
    expect(code(() => normalizeNickname('a\u0000', 'zoe'))).toBe('INVALID_ARGUMENT');
    expect(code(() => normalizeNickname('x'.repeat(65), 'zoe'))).toBe('INVALID_ARGUMENT');
  });

  it('takes only http(s) avatar URLs', () => {
    expect(code(() => assertValidAvatarUrl(''))).toBe('ok');
    expect(code(() => assertValidAvatarUrl('https://a.example/x.png'))).toBe('ok');
    expect(code(() => assertValidAvatarUrl('javascript:alert(1)'))).toBe('INVALID_ARGUMENT');
    expect(code(() => assertValidAvatarUrl('/relative.png'))).toBe('INVALID_ARGUMENT');
  });
});
