import { ROLES, type Fixture, type Role } from './fixture.js';

/**
 * What a role gets: an HTTP status (over WS, 2xx is `ok: true` and an error status is its
 * code, see `WS_CODES`), or `null` where the role makes no sense for this call (for example
 * `blocked` on a group route: blocks are between two users).
 */
export type Expectation = number | null;
export type Expectations = Readonly<Record<Role, Expectation>>;

/** One way of calling a route or op: the request a role sends, and what each role gets. */
export interface Variant {
  /** Which target the variant is about, for the test's name. */
  readonly on: string;
  readonly request: (fx: Fixture, role: Role) => { path?: string; body?: unknown };
  readonly expect: Expectations;
}

const cell = (value: Expectation, overrides: Partial<Record<Role, Expectation>>): Expectations =>
  Object.fromEntries(
    ROLES.map((role) => [role, role in overrides ? overrides[role] : value]),
  ) as Expectations;

/** Anyone, signed in or not, gets `status`. */
export const anyone = (status: number, o: Partial<Record<Role, Expectation>> = {}) =>
  cell(status, o);
/** Any signed-in user gets `status`; no token is 401. */
export const signedIn = (status: number, o: Partial<Record<Role, Expectation>> = {}) =>
  cell(status, { anonymous: 401, ...o });

/**
 * A call inside the group (or world) conversation: owner, admin and members get `status`;
 * an outsider 403 (it is not theirs to see); blocks do not apply.
 */
export const inGroup = (status: number, o: Partial<Record<Role, Expectation>> = {}) =>
  cell(status, { anonymous: 401, outsider: 403, blocked: null, ...o });
/** Owner and admins get `status`; members 403; outsiders 403. */
export const groupAdmins = (status: number, o: Partial<Record<Role, Expectation>> = {}) =>
  inGroup(status, { member: 403, muted: 403, ...o });
/** Only the owner gets `status`. */
export const groupOwner = (status: number, o: Partial<Record<Role, Expectation>> = {}) =>
  groupAdmins(status, { admin: 403, ...o });
/**
 * A call inside a single conversation: `member` is in one with `peer`, `blocked` in one with
 * `peer`, who blocked them; the outsider tries `member`'s; group roles do not apply.
 */
export const inSingle = (
  member: Expectation,
  blocked: Expectation,
  o: Partial<Record<Role, Expectation>> = {},
) =>
  cell(null, {
    anonymous: 401,
    outsider: 403,
    member,
    blocked,
    ...o,
  });

/** The group conversation for everyone (the outsider too). */
export const groupConversation = (fx: Fixture) => fx.groupConversationId;
/** The single conversation each role is in: blocked's own, member's otherwise. */
export const singleConversation = (fx: Fixture, role: Role) =>
  role === 'blocked' ? fx.blockedConversationId : fx.dmConversationId;
/** The role's own message, or the owner's for a role with none there. */
export const ownSeq = (fx: Fixture, role: Role) => fx.seqs[role] ?? fx.seqs.owner ?? 1;
/** In a single conversation: blocked's own message; peer's first message otherwise. */
export const singleSeq = (fx: Fixture, role: Role) =>
  role === 'blocked' ? (fx.seqs.blocked ?? 1) : 1;

/** The error code each refused status stands for, over REST and WS alike. */
export const WS_CODES: Readonly<Record<number, readonly string[]>> = {
  400: ['INVALID_ARGUMENT'],
  401: ['UNAUTHENTICATED'],
  403: ['PERMISSION_DENIED'],
  404: ['NOT_FOUND'],
  409: ['FAILED_PRECONDITION', 'ALREADY_EXISTS'],
  426: ['FAILED_PRECONDITION'],
  429: ['RESOURCE_EXHAUSTED'],
};
