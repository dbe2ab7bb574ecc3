import type { FastifyError, FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { BridgePage, BridgeReadService } from '../../../app/bridges/bridge-read.js';
import { MAX_PAGE_ITEMS } from '../../../app/bridges/bridge-read.js';
import type { BridgeItemRecord, BridgeKind } from '../../../ports/bridge-store.js';
import { encodeCursor, parseImQuery, type ImQuery } from '../../../protocol/bridge-read-query.js';
import {
  bridgeView,
  businessTypeOf,
  contentIdsOf,
  titleOf,
  unifiedView,
  type TitleLookup,
} from '../../../protocol/bridge-views.js';
import { appError } from '../../../domain/errors.js';
import { callerOf, requireAuth, type Authenticator } from '../authenticate.js';
import { toWireError } from '../error-handler.js';

export interface ImReadRouteOptions {
  readonly authenticate: Authenticator;
  readonly read: BridgeReadService;
}

/** The original's error envelope; the HTTP status says the same. */
const fail = (reply: FastifyReply, status: number, message: string) =>
  reply.status(status).send({ data: null, status_code: status, status_msg: message });

/** 0 before the first item, as the original answered an empty first page. */
const cursorOf = (page: BridgePage): string | 0 =>
  page.next === undefined ? 0 : encodeCursor(page.next);

/** Where each endpoint puts its list: inside `data` with cursor and has_more, or beside it. */
type Envelope = 'inner' | 'outer';

function envelope(name: string, shape: Envelope, items: unknown[], page: BridgePage) {
  const cursor = cursorOf(page);
  return shape === 'inner'
    ? { data: { [name]: items, cursor, has_more: page.hasMore }, status_code: 0 }
    : { data: { [name]: items }, status_code: 0, cursor, has_more: page.hasMore };
}

/** Where imReadRoutes is registered. */
export const IM_PREFIX = '/api/im';

/**
 * The IM-compatible read API of BRIDGE.md (`/api/im/*`, registered with prefix IM_PREFIX): what the original's IM clients call,
 * in the original's envelopes, for users granted the account.
 */
export const imReadRoutes: FastifyPluginAsyncZod<ImReadRouteOptions> = async (
  app,
  { authenticate, read },
) => {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    const wire = toWireError(err, 0);
    if (wire.status >= 500) request.log.error({ err }, 'an /api/im read failed');
    return fail(reply, wire.status, wire.message);
  });
  // Registered under /api/im: an unknown path or method there answers in the same envelope.
  app.setNotFoundHandler((request, reply) =>
    fail(reply, 404, `No route ${request.method} ${request.url.split('?')[0]}.`),
  );
  app.addHook('preHandler', requireAuth(authenticate));

  const query = (params: unknown): ImQuery => {
    const parsed = parseImQuery((params ?? {}) as Record<string, unknown>, MAX_PAGE_ITEMS);
    if (!parsed.ok) throw appError('INVALID_ARGUMENT', parsed.message);
    return parsed.query;
  };
  const page = (userId: string, q: ImQuery, kinds: BridgeKind[], extra = {}) =>
    read.page(userId, {
      accountId: q.accountId,
      kinds,
      count: q.count,
      ...(q.after !== undefined && { after: q.after }),
      ...(q.conversationId !== undefined && { conversationId: q.conversationId }),
      ...(q.sinceTime !== undefined && { sinceTime: q.sinceTime }),
      ...extra,
    });
  /** Post titles for the comments of a page, from the account's content items. */
  const titles = async (accountId: string, items: readonly BridgeItemRecord[]) => {
    const platforms = [...new Set(items.map((i) => i.platform))];
    const refs = contentIdsOf(items).flatMap((itemId) =>
      platforms.map((platform) => ({ platform, kind: 'content' as const, itemId })),
    );
    const found = refs.length === 0 ? [] : await read.findItems(accountId, refs);
    return new Map(found.map(titleOf).filter((t) => t !== undefined)) as TitleLookup;
  };
  const schema = (summary: string) => ({
    schema: { tags: ['bridges'], summary, security: [{ bearer: [] }] },
  });

  const list = (
    path: string,
    summary: string,
    name: string,
    shape: Envelope,
    kinds: BridgeKind[],
  ) =>
    app.get(path, schema(summary), async (request) => {
      const q = query(request.query);
      const result = await page(callerOf(request).userId, q, kinds);
      const lookup = kinds.includes('comment')
        ? await titles(q.accountId, result.items)
        : undefined;
      return envelope(
        name,
        shape,
        result.items.map((i) => bridgeView(i, lookup)),
        result,
      );
    });

  list(
    '/conversations',
    'Direct-message conversations of a granted account (BRIDGE.md).',
    'conversations',
    'inner',
    ['conversation'],
  );
  list(
    '/messages',
    'Direct messages of a granted account; filters conversation_id, since_time.',
    'messages',
    'inner',
    ['message'],
  );
  list('/discussions', 'Comments on the posts of a granted account.', 'discussions', 'outer', [
    'comment',
  ]);
  list('/contents', 'Posts of a granted account.', 'contents', 'outer', ['content']);

  app.get(
    '/unified-messages',
    schema('Comments, discussions and direct messages of a granted account, newest first.'),
    async (request) => {
      const q = query(request.query);
      const types = q.types ?? new Set(['comment', 'discussion', 'direct_message'] as const);
      const kinds: BridgeKind[] = [];
      if (types.has('direct_message')) kinds.push('message');
      if (types.has('comment') || types.has('discussion')) kinds.push('comment');
      // Comments and discussions are one kind, told apart by a parent: filtered here.
      const split = types.has('comment') !== types.has('discussion');
      const result = await page(callerOf(request).userId, q, kinds, {
        order: 'desc',
        ...(split && { accept: (i: BridgeItemRecord) => types.has(businessTypeOf(i)) }),
      });
      const lookup = await titles(q.accountId, result.items);
      return envelope(
        'messages',
        'outer',
        result.items.map((i) => unifiedView(i, lookup)),
        result,
      );
    },
  );
};
