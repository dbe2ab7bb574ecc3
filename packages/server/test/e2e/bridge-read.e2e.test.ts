/**
 * The `/api/im/*` read API of BRIDGE.md: shapes field by field, access, paging. Who may grant
 * and withdraw access: bridge-grants.e2e.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  ADMIN,
  createWorkerToken,
  grant,
  pushHttp,
  syncPayload,
  workerMessage,
} from '../support/bridge-fixture.js';
import { e2eServer } from '../support/e2e-fixture.js';
import { ENGINES } from '../support/test-server.js';

const conversation = (accountId: string) => ({
  id: 'conv-1',
  conversationId: 'conv-1',
  accountId,
  platform: 'douyin',
  type: 'private',
  userId: 'u-9',
  userName: 'Nine',
  userAvatar: 'https://a/9.png',
  unreadCount: 3,
  isPinned: true,
  isMuted: false,
  lastMessageContent: 'see you',
  lastMessageType: 'text',
  lastMessageTime: 1_500,
  createdAt: 900,
  updatedAt: 1_500,
  status: 'active',
});

const content = {
  id: 'post-1',
  contentId: 'post-1',
  type: 'video',
  title: 'My trip',
  description: 'A week by the sea',
  coverUrl: 'https://c/1.jpg',
  url: 'https://v/1',
  viewCount: 120,
  likeCount: 12,
  commentCount: 2,
  shareCount: 1,
  publishTime: 800,
  createdAt: 800,
  updatedAt: 850,
};

const comment = (id: string, createdAt: number, parentCommentId?: string) => ({
  id,
  commentId: id,
  contentId: 'post-1',
  ...(parentCommentId !== undefined && { parentCommentId }),
  authorId: 'fan-1',
  authorName: 'Fan',
  authorAvatar: 'https://a/fan.png',
  content: `comment ${id}`,
  likeCount: 0,
  replyCount: 0,
  isRead: false,
  isNew: true,
  createdAt,
});

describe.each(ENGINES)('/api/im/* and grants on %s', (engine) => {
  const e2e = e2eServer(engine, { admin_token: ADMIN });
  const account = () => `acc-${engine}-${e2e.next()}`;

  async function seeded() {
    const accountId = account();
    const worker = await createWorkerToken(e2e.server);
    const pushed = await pushHttp(
      e2e.server,
      worker.token,
      syncPayload(accountId, 2_000, {
        conversations: [conversation(accountId)],
        messages: [
          workerMessage(accountId, 'm1', 'hello', 1_000, {
            recipientId: 'me',
            recipientName: 'Me',
            mediaUrl: null,
            isRecalled: false,
            replyToMessageId: null,
            status: 'sent',
          }),
          workerMessage(accountId, 'm2', 'again', 1_200, { conversationId: 'conv-2' }),
        ],
        comments: [comment('cm1', 1_100), comment('cm2', 1_300, 'cm1')],
        contents: [content],
        notifications: [{ id: 'n1', notificationId: 'n1', type: 'like', createdAt: 1 }],
      }),
    );
    expect(pushed.status).toBe(200);
    const reader = await e2e.account('reader');
    expect((await grant(e2e.server, ADMIN, accountId, reader.user.user_id)).status).toBe(201);
    return { accountId, worker, reader };
  }

  it('serves the five endpoints in the original envelopes, every field of BRIDGE.md', async () => {
    const { accountId, reader } = await seeded();
    const get = (path: string) => e2e.get(`${path}?account_id=${accountId}`, reader);

    const conversations = await get('/api/im/conversations');
    expect(conversations.status).toBe(200);
    expect(conversations.body).toEqual({
      data: {
        conversations: [
          {
            conversation_id: 'conv-1',
            conversation_short_id: 'conv-1',
            conversation_type: 'one_on_one',
            participant: { user_id: 'u-9', user_name: 'Nine', avatar: 'https://a/9.png' },
            last_message: { content: 'see you', msg_type: 'text', create_time: 1_500 },
            unread_count: 3,
            is_pinned: true,
            is_muted: false,
            last_message_type: 'text',
            create_time: 900,
            update_time: 1_500,
            platform: 'douyin',
            status: 'active',
          },
        ],
        cursor: expect.any(String),
        has_more: false,
      },
      status_code: 0,
    });

    const m1 = {
      msg_id: 'm1',
      conversation_id: 'conv-1',
      sender: { user_id: 'u-9', user_name: 'Nine', avatar: null },
      receiver: { user_id: 'me', user_name: 'Me', avatar: null },
      msg_type: 'text',
      content: 'hello',
      create_time: 1_000,
      status: 'sent',
      is_read: false,
      is_deleted: false,
      is_recalled: false,
      reply_to_message_id: null,
      media_url: null,
      direction: 'inbound',
      platform: 'douyin',
    };
    const messages = await get('/api/im/messages');
    expect(messages.body).toEqual({
      data: {
        messages: [m1, expect.objectContaining({ msg_id: 'm2', conversation_id: 'conv-2' })],
        cursor: expect.any(String),
        has_more: false,
      },
      status_code: 0,
    });
    const filtered = await e2e.get(
      `/api/im/messages?account_id=${accountId}&conversation_id=conv-2&since_time=1100`,
      reader,
    );
    expect(filtered.body.data.messages.map((m: { msg_id: string }) => m.msg_id)).toEqual(['m2']);

    const cm1 = {
      discussion_id: 'cm1',
      platform: 'douyin',
      platform_discussion_id: 'cm1',
      parent_comment_id: null,
      content: 'comment cm1',
      author: { author_id: 'fan-1', author_name: 'Fan' },
      content_id: 'post-1',
      post_title: 'My trip',
      is_read: false,
      is_new: true,
      created_at: 1_100,
    };
    const discussions = await get('/api/im/discussions');
    expect(discussions.body).toEqual({
      data: {
        discussions: [
          cm1,
          {
            ...cm1,
            discussion_id: 'cm2',
            platform_discussion_id: 'cm2',
            parent_comment_id: 'cm1',
            content: 'comment cm2',
            created_at: 1_300,
          },
        ],
      },
      status_code: 0,
      cursor: expect.any(String),
      has_more: false,
    });

    const contents = await get('/api/im/contents');
    expect(contents.body).toEqual({
      data: {
        contents: [
          {
            content_id: 'post-1',
            platform: 'douyin',
            platform_content_id: 'post-1',
            content_type: 'video',
            title: 'My trip',
            description: 'A week by the sea',
            cover: 'https://c/1.jpg',
            url: 'https://v/1',
            publish_time: 800,
            stats: { total_comments: 2, likes: 12, shares: 1, views: 120 },
            is_new: false,
            created_at: 800,
            updated_at: 850,
          },
        ],
      },
      status_code: 0,
      cursor: expect.any(String),
      has_more: false,
    });

    const unified = await get('/api/im/unified-messages');
    expect(unified.body).toEqual({
      data: {
        messages: [
          {
            ...cm1,
            discussion_id: 'cm2',
            platform_discussion_id: 'cm2',
            parent_comment_id: 'cm1',
            content: 'comment cm2',
            created_at: 1_300,
            business_type: 'discussion',
          },
          expect.objectContaining({
            msg_id: 'm2',
            business_type: 'direct_message',
            created_at: 1_200,
          }),
          { ...cm1, business_type: 'comment' },
          { ...m1, business_type: 'direct_message', created_at: 1_000 },
        ],
      },
      status_code: 0,
      cursor: expect.any(String),
      has_more: false,
    });
    const onlyComments = await e2e.get(
      `/api/im/unified-messages?account_id=${accountId}&types=comment,direct_message&count=2`,
      reader,
    );
    expect(
      onlyComments.body.data.messages.map((m: { business_type: string }) => m.business_type),
    ).toEqual(['direct_message', 'comment']);
    expect(onlyComments.body.has_more).toBe(true);
    const rest = await e2e.get(
      `/api/im/unified-messages?account_id=${accountId}&types=comment,direct_message&count=2&cursor=${onlyComments.body.cursor}`,
      reader,
    );
    expect(rest.body.data.messages.map((m: { msg_id: string }) => m.msg_id)).toEqual(['m1']);
    expect(rest.body.has_more).toBe(false);
  });

  it('answers an empty account with cursor 0, and errors in the original envelope', async () => {
    const { accountId, reader } = await seeded();
    const empty = account();
    expect((await grant(e2e.server, ADMIN, empty, reader.user.user_id)).status).toBe(201);
    expect((await e2e.get(`/api/im/messages?account_id=${empty}`, reader)).body).toEqual({
      data: { messages: [], cursor: 0, has_more: false },
      status_code: 0,
    });
    expect((await e2e.get(`/api/im/contents?account_id=${empty}`, reader)).body).toEqual({
      data: { contents: [] },
      status_code: 0,
      cursor: 0,
      has_more: false,
    });
    const envelope = (status: number) => ({
      data: null,
      status_code: status,
      status_msg: expect.any(String),
    });
    const noAccount = await e2e.get('/api/im/messages', reader);
    expect([noAccount.status, noAccount.body]).toEqual([400, envelope(400)]);
    const anonymous = await e2e.get(`/api/im/messages?account_id=${accountId}`);
    expect([anonymous.status, anonymous.body]).toEqual([401, envelope(401)]);
    const stranger = await e2e.account('stranger');
    for (const path of [
      'conversations',
      'messages',
      'discussions',
      'contents',
      'unified-messages',
    ]) {
      const denied = await e2e.get(`/api/im/${path}?account_id=${accountId}`, stranger);
      expect([denied.status, denied.body]).toEqual([403, envelope(403)]);
    }
    const badCursor = await e2e.get(`/api/im/messages?account_id=${accountId}&cursor=zz`, reader);
    expect([badCursor.status, badCursor.body]).toEqual([400, envelope(400)]);
    const badCount = await e2e.get(`/api/im/messages?account_id=${accountId}&count=x`, reader);
    expect(badCount.status).toBe(400);
  });

  it('caps count at 100 and walks every item exactly once while workers keep writing', async () => {
    const accountId = account();
    const worker = await createWorkerToken(e2e.server);
    const initial = Array.from({ length: 300 }, (_, i) =>
      workerMessage(accountId, `m${i}`, `v0`, 10_000 + Math.floor(i / 3)),
    );
    expect(
      (
        await pushHttp(
          e2e.server,
          worker.token,
          syncPayload(accountId, 1, { messages: initial }, 'delta'),
        )
      ).status,
    ).toBe(200);
    const reader = await e2e.account('pager');
    await grant(e2e.server, ADMIN, accountId, reader.user.user_id);
    const capped = await e2e.get(`/api/im/messages?account_id=${accountId}&count=500`, reader);
    expect(capped.body.data.messages).toHaveLength(100);
    expect(capped.body.data.has_more).toBe(true);

    // A worker keeps rewriting existing items and adding new ones while the client pages.
    let writing = true;
    let round = 0;
    const writer = (async () => {
      while (writing) {
        round++;
        const changed = [
          workerMessage(accountId, `m${(round * 7) % 300}`, `v${round}`, 10_000),
          workerMessage(accountId, `new${round}`, 'late', 20_000 + round),
        ];
        await pushHttp(
          e2e.server,
          worker.token,
          syncPayload(accountId, 1 + round, { messages: changed }, 'delta'),
        );
      }
    })();
    const seen: string[] = [];
    let cursor: string | number = 0;
    for (let pages = 0; pages < 200; pages++) {
      const page = await e2e.get(
        `/api/im/messages?account_id=${accountId}&count=7&cursor=${cursor}`,
        reader,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.data.messages.map((m: { msg_id: string }) => m.msg_id));
      cursor = page.body.data.cursor;
      if (!page.body.data.has_more) break;
    }
    writing = false;
    await writer;
    expect(round).toBeGreaterThan(0);
    expect(new Set(seen).size).toBe(seen.length);
    for (const item of initial) expect(seen).toContain(item.id);
  });

  it('leaves out items a snapshot deleted by absence', async () => {
    const { accountId, worker, reader } = await seeded();
    const later = await pushHttp(
      e2e.server,
      worker.token,
      syncPayload(accountId, 3_000, {
        messages: [workerMessage(accountId, 'm2', 'again', 1_200, { conversationId: 'conv-2' })],
      }),
    );
    expect(later.body.stats.messages).toEqual({
      inserted: 0,
      updated: 0,
      deleted: 1,
      unchanged: 1,
    });
    const page = await e2e.get(`/api/im/messages?account_id=${accountId}`, reader);
    expect(page.body.data.messages.map((m: { msg_id: string }) => m.msg_id)).toEqual(['m2']);
  });
});
