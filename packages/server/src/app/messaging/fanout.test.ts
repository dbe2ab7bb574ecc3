import { describe, expect, it } from 'vitest';
import { singleConversationId } from '../../domain/conversation.js';
import type { Bus, BusMessage } from '../../ports/bus.js';
import type { LargeGroupFanout } from '../cluster/large-group-fanout.js';
import { Fanout } from './fanout.js';

/** A bus that records what is published, by topic. */
function recordingBus() {
  const published: Array<{ topic: string; message: BusMessage }> = [];
  const bus: Bus = {
    publish: (topic, message) => published.push({ topic, message }),
    subscribe: () => () => {},
    ping: async () => {},
    close: async () => {},
  };
  const plain = () =>
    published.map(({ topic, message }) => ({
      topic,
      ...message,
      frame: message.frame?.toString(),
    }));
  return { bus, plain };
}

const single = { id: singleConversationId('alice', 'bob'), type: 'single' as const };
const frame = '{"event":"message.new","data":{"n":1}}';

describe('Fanout', () => {
  it("excludes the sender's connection on the sender's own topic only", () => {
    const { bus, plain } = recordingBus();
    new Fanout(bus).toConversation(
      single,
      'message.new',
      { n: 1 },
      { connectionId: 'c1', connectionUserId: 'alice' },
    );
    expect(plain()).toEqual([
      { topic: 'user:alice', frame, exceptConnection: 'c1' },
      { topic: 'user:bob', frame },
    ]);
  });

  it('keeps the exception on both topics when the connection has no known owner', () => {
    const { bus, plain } = recordingBus();
    new Fanout(bus).toConversation(single, 'message.new', { n: 1 }, { connectionId: 'c1' });
    expect(plain()).toEqual([
      { topic: 'user:alice', frame, exceptConnection: 'c1' },
      { topic: 'user:bob', frame, exceptConnection: 'c1' },
    ]);
  });

  it("skips an excluded user's topic whole, and carries exceptions on a group's topic", () => {
    const { bus, plain } = recordingBus();
    const fanout = new Fanout(bus);
    fanout.toConversation(single, 'typing', { n: 1 }, { userId: 'bob' });
    fanout.toConversation(
      { id: 'g_1', type: 'group' },
      'typing',
      { n: 1 },
      { userId: 'bob', connectionId: 'c2', connectionUserId: 'bob' },
    );
    const typing = '{"event":"typing","data":{"n":1}}';
    expect(plain()).toEqual([
      { topic: 'user:alice', frame: typing },
      { topic: 'conv:g_1', frame: typing, exceptConnection: 'c2', exceptUser: 'bob' },
    ]);
  });

  it("hands a large group's events to the workers, but publishes typing itself", () => {
    const { bus, plain } = recordingBus();
    const dispatched: string[] = [];
    const large = {
      isLarge: () => true,
      dispatch: (conversationId: string, frame: Buffer) =>
        dispatched.push(`${conversationId} ${frame.toString()}`),
    } as unknown as LargeGroupFanout;
    const fanout = new Fanout(bus, large);
    const group = { id: 'g_big', type: 'group' as const };
    fanout.toConversation(group, 'message.new', { n: 1 });
    fanout.toConversationLive(group, 'typing', { n: 2 }, { userId: 'bob' });
    expect(dispatched).toEqual([`g_big ${frame}`]);
    expect(plain()).toEqual([
      { topic: 'conv:g_big', frame: '{"event":"typing","data":{"n":2}}', exceptUser: 'bob' },
    ]);
  });
});
