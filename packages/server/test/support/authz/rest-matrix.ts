import type { Variant } from './cells.js';
import { ACCOUNT_ROWS } from './rest-rows-accounts.js';
import { DEVICE_ROWS } from './rest-rows-devices.js';
import { CONVERSATION_ROWS } from './rest-rows-conversations.js';
import { GROUP_ROWS } from './rest-rows-groups.js';

/**
 * Every REST route (`METHOD path` as Fastify registered it) and what each role gets. The
 * matrix test fails on a route missing here, so a new route cannot ship without its row.
 */
export const REST_MATRIX: Readonly<Record<string, readonly Variant[]>> = {
  ...ACCOUNT_ROWS,
  ...CONVERSATION_ROWS,
  ...GROUP_ROWS,
  ...DEVICE_ROWS,
};
