/** How the REST matrix's rows build their requests: paths and bodies per role. */
import type { Fixture, Role } from './fixture.js';
import { anyone, groupConversation, singleConversation, type Variant } from './cells.js';

export const who = (fx: Fixture, role: Role) => fx.users[role === 'anonymous' ? 'member' : role];
export const text = (t: string) => ({ type: 'text', content: { text: t } });
let unique = 0;
export const fresh = () => `m${process.pid.toString(36)}x${(unique++).toString(36)}`;

export const page = (path: string) => (): { path: string } => ({ path });
export const conv =
  (suffix = '', body?: (fx: Fixture, role: Role) => unknown) =>
  (fx: Fixture, role: Role) => ({
    path: `/v1/conversations/${groupConversation(fx)}${suffix}`,
    body: body?.(fx, role),
  });
export const single =
  (suffix = '', body?: (fx: Fixture, role: Role) => unknown) =>
  (fx: Fixture, role: Role) => ({
    path: `/v1/conversations/${singleConversation(fx, role)}${suffix}`,
    body: body?.(fx, role),
  });
export const world =
  (suffix = '', body?: (fx: Fixture, role: Role) => unknown) =>
  (fx: Fixture, role: Role) => ({
    path: `/v1/conversations/${fx.worldConversationId}${suffix}`,
    body: body?.(fx, role),
  });
export const group =
  (suffix = '', body?: (fx: Fixture, role: Role) => unknown) =>
  (fx: Fixture, role: Role) => ({
    path: `/v1/groups/${fx.groupId}${suffix}`,
    body: body?.(fx, role),
  });

export const docs = (path: string): readonly Variant[] => [
  { on: 'the API documentation', request: page(path), expect: anyone(200) },
];
