import { describe, expect, it } from 'vitest';
import type { ClientEvents } from './client-options.js';
import { Emitter } from './emitter.js';
import { Inbox } from './inbox.js';
import { Outbox } from './outbox.js';
import { SeqTracker } from './seq-tracker.js';
import type { Message } from './types.js';

const message = (seq: number, text: string): Message => ({
  message_id: `m${seq}`,
  conversation_id: 'c1',
  seq,
  sender_id: 'bot',
  client_msg_id: `k${seq}`,
  type: 'text',
  content: { text },
  status: 'pending',
  created_at: 1,
  edited_at: null,
});

function inbox() {
  const emitter = new Emitter<ClientEvents>((error) => {
    throw error;
  });
  const outbox = new Outbox({ transmit: () => new Promise(() => {}) });
  const seen: [string, unknown][] = [];
  for (const name of ['message.new', 'message.updated', 'message.partial', 'event'] as const) {
    emitter.on(name, (data) => seen.push([name, data]));
  }
  const box = new Inbox({ tracker: new SeqTracker(), outbox, emitter, userId: () => 'me' });
  return { box, seen };
}

describe('Inbox', () => {
  it('passes streamed partial results on as message.partial, every one of them', () => {
    const { box, seen } = inbox();
    box.onServerEvent('message.new', { message: message(1, 'You') });
    box.onServerEvent('message.updated', { message: message(1, 'You asked'), partial: true });
    box.onServerEvent('message.updated', { message: message(1, 'You asked:'), partial: true });
    box.onServerEvent('message.updated', {
      message: { ...message(1, 'You asked: hi'), status: 'sent' },
      change_seq: 1,
    });
    expect(seen.map(([name]) => name)).toEqual([
      'message.new',
      'message.partial',
      'message.partial',
      'message.updated',
    ]);
    expect(seen[2]?.[1]).toEqual({ message: message(1, 'You asked:') });
  });

  it('passes events it does not model on as `event`, and drops a second ready', () => {
    const { box, seen } = inbox();
    box.onServerEvent('friend.request', { request: { request_id: 'r1' } });
    box.onServerEvent('ready', {});
    expect(seen).toEqual([
      ['event', { name: 'friend.request', data: { request: { request_id: 'r1' } } }],
    ]);
  });
});
