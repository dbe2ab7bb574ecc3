import type { ChatStore } from '../state/chat-store.js';
import type { ShownMessage } from '../state/thread.js';
import { clockTime } from './format.js';
import { RedPacketIcon } from './icons.js';

/** A message an extension generated for its sender (an AI reply): `<parent>:g<n>`. */
const isGenerated = (m: ShownMessage) => /:g\d+$/.test(m.client_msg_id);

function Content({ m }: { m: ShownMessage }) {
  const c = m.content as Record<string, unknown>;
  if (m.status === 'recalled') return <em class="muted">This message was recalled.</em>;
  if (c.unreadable === true) return <em class="muted">This message cannot be shown.</em>;
  switch (m.type) {
    case 'text':
      return (
        <span class="text">
          {String(c.text ?? '')}
          {m.status === 'pending' && isGenerated(m) && (
            <span class="caret" aria-label="still writing" />
          )}
        </span>
      );
    case 'redpacket': {
      const amount = typeof c.amount === 'number' ? (c.amount / 100).toFixed(2) : '?';
      return (
        <div class="redpacket" role="group" aria-label="Red packet">
          <RedPacketIcon class="rp-icon" />
          <span>
            <strong>
              {typeof c.greeting === 'string' && c.greeting !== '' ? c.greeting : 'Best wishes!'}
            </strong>
            <span class="rp-meta">
              Red packet · {amount} in {String(c.count ?? '?')}
            </span>
          </span>
        </div>
      );
    }
    case 'ai':
      return (
        <span class="text">
          <span class="ai-tag">Ask AI</span> {String(c.text ?? '')}
        </span>
      );
    case 'image':
      return typeof c.url === 'string' && c.url.startsWith('https://') ? (
        <img class="image" src={c.url} alt="Shared image" loading="lazy" />
      ) : (
        <span>Image</span>
      );
    case 'file':
      return <span>File: {String(c.name ?? 'file')}</span>;
    case 'location':
      return (
        <span>Location: {String(c.name ?? `${String(c.latitude)}, ${String(c.longitude)}`)}</span>
      );
    default:
      return <span class="muted">[{m.type}] message</span>;
  }
}

/** The state of one of the user's own messages, as a person would say it. */
function ownStatus(store: ChatStore, m: ShownMessage, type: string): string {
  if (m.local === 'pending') return 'Sending…';
  if (m.local === 'failed') return 'Not sent';
  if (m.status === 'pending') return 'Processing…';
  if (m.status === 'failed' || m.status === 'rejected') return 'Failed';
  const { readers, received } = store.receipts.of(m.conversation_id, m.seq);
  if (type === 'single') return readers > 0 ? 'Read' : received ? 'Delivered' : 'Sent';
  return readers > 0 ? `Read by ${readers}` : 'Sent';
}

export function MessageItem(props: {
  store: ChatStore;
  m: ShownMessage;
  type: string;
  showSender: boolean;
  onEdit: (m: ShownMessage) => void;
}) {
  const { store, m, type } = props;
  const system = m.sender_id === 'system';
  const generated = isGenerated(m);
  const mine = m.sender_id === store.me.user_id && !generated;
  if (system) {
    return (
      <div class="system-line" data-seq={m.seq}>
        {/* Notices name users by id (ULIDs): show their names. */}
        {String((m.content as { text?: unknown }).text ?? '').replace(
          /\b[0-9A-HJKMNP-TV-Z]{26}\b/g,
          (id) => store.people.nameOf(id),
        )}
      </div>
    );
  }
  const sender = generated ? 'AI bot' : store.people.nameOf(m.sender_id);
  const canChange = mine && m.local === undefined && m.status === 'sent';
  const status = mine ? ownStatus(store, m, type) : '';
  return (
    <div
      class={mine ? 'msg mine' : 'msg'}
      data-seq={m.local === undefined ? m.seq : undefined}
      data-state={m.local ?? m.status}
    >
      <div class="bubble">
        {(props.showSender || generated) && !mine && <div class="sender">{sender}</div>}
        <Content m={m} />
        <div class="meta">
          {m.edited_at !== null && m.status !== 'recalled' && <span class="edited">edited · </span>}
          <time>{clockTime(m.created_at)}</time>
          {status !== '' && <span class="status"> · {status}</span>}
        </div>
        {m.local === 'failed' && (
          <div class="failed" role="alert">
            <span>{m.error}</span>
            <button type="button" class="link" onClick={() => props.store.retry(m)}>
              Retry
            </button>
            <button type="button" class="link" onClick={() => props.store.discard(m)}>
              Delete
            </button>
          </div>
        )}
      </div>
      {canChange && (
        <div class="actions">
          {m.type === 'text' && (
            <button
              type="button"
              class="ghost small"
              onClick={() => props.onEdit(m)}
              aria-label="Edit message"
            >
              Edit
            </button>
          )}
          <button
            type="button"
            class="ghost small"
            onClick={() => void store.recall(m)}
            aria-label="Recall message"
          >
            Recall
          </button>
        </div>
      )}
    </div>
  );
}
