/** Accounts: the user record, the public view of it and the rules for names and passwords. */
import { invalidArgument } from './errors.js';

export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly passwordHash: string | null;
  readonly nickname: string;
  readonly avatarUrl: string;
  readonly bio: string;
  readonly isGuest: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** The User object of the public protocol. */
export interface PublicUser {
  readonly user_id: string;
  readonly username: string;
  readonly nickname: string;
  readonly avatar_url: string;
  readonly bio: string;
  readonly is_guest: boolean;
  readonly created_at: number;
}

export const toPublicUser = (user: UserRecord): PublicUser => ({
  user_id: user.id,
  username: user.username,
  nickname: user.nickname,
  avatar_url: user.avatarUrl,
  bio: user.bio,
  is_guest: user.isGuest,
  created_at: user.createdAt,
});

export const USERNAME_MIN = 3;
export const USERNAME_MAX = 32;
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
export const PASSWORD_MIN = 10;
/** Bounds the hashing work one request can ask for. */
export const PASSWORD_MAX = 1024;
export const NICKNAME_MAX = 64;
export const BIO_MAX = 500;
export const AVATAR_URL_MAX = 2048;

/** Usernames are unique regardless of case: this is the key they are unique by. */
export const usernameKey = (username: string): string => username.toLowerCase();

export function assertValidUsername(username: string): void {
  if (!USERNAME_PATTERN.test(username)) {
    throw invalidArgument(
      `username must be ${USERNAME_MIN}–${USERNAME_MAX} characters of letters, digits, "_", "." or "-".`,
      'username',
    );
  }
}

export function assertValidPassword(password: string): void {
  if (password.length < PASSWORD_MIN) {
    throw invalidArgument(`password must be at least ${PASSWORD_MIN} characters.`, 'password');
  }
  if (password.length > PASSWORD_MAX) {
    throw invalidArgument(`password must be at most ${PASSWORD_MAX} characters.`, 'password');
  }
}

/** Trims a nickname and refuses control characters; an empty one falls back to the username. */
export function normalizeNickname(nickname: string | undefined, fallback: string): string {
  const trimmed = (nickname ?? '').trim();
  if (trimmed.length > NICKNAME_MAX) {
    throw invalidArgument(`nickname must be at most ${NICKNAME_MAX} characters.`, 'nickname');
  }
  if (hasControlCharacters(trimmed)) {
    throw invalidArgument('nickname must not contain control characters.', 'nickname');
  }
  return trimmed === '' ? fallback : trimmed;
}

export function assertValidAvatarUrl(url: string): void {
  if (url === '') return;
  if (url.length > AVATAR_URL_MAX) {
    throw invalidArgument(`avatar_url must be at most ${AVATAR_URL_MAX} characters.`, 'avatar_url');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidArgument('avatar_url must be an absolute http(s) URL.', 'avatar_url');
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || hasControlCharacters(url)) {
    throw invalidArgument('avatar_url must be an absolute http(s) URL.', 'avatar_url');
  }
}

export function assertValidBio(bio: string): void {
  if (bio.length > BIO_MAX) {
    throw invalidArgument(`bio must be at most ${BIO_MAX} characters.`, 'bio');
  }
  if (hasControlCharacters(bio.replace(/[\n\t]/g, ''))) {
    throw invalidArgument(
      'bio must not contain control characters other than newlines and tabs.',
      'bio',
    );
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
export const hasControlCharacters = (text: string): boolean => CONTROL.test(text);
