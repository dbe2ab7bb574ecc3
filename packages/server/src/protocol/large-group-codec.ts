/** The `large_group_fanout` task's payload: the seed's LargeGroupFanoutTask (im.task.v1). */
import { LargeGroupFanoutTask as Proto } from '@parley/proto';

/** The seed's LargeGroupFanoutTask (seed 003 §5.4) with what a worker needs to deliver it. */
export interface LargeGroupFanoutTask {
  readonly conversationId: string;
  /** The message the event is about ('' for events that are not about one). */
  readonly messageId: string;
  readonly seq: number;
  /** The event, encoded once by the sender's node. */
  readonly frame: Buffer;
  readonly exceptConnection?: string | undefined;
  readonly exceptUser?: string | undefined;
}

export const LARGE_GROUP_FANOUT = 'large_group_fanout';

export interface LargeGroupCodec {
  encode(task: LargeGroupFanoutTask): Uint8Array;
  decode(payload: Uint8Array): LargeGroupFanoutTask;
}

export const largeGroupCodec: LargeGroupCodec = {
  encode(task: LargeGroupFanoutTask): Uint8Array {
    return Proto.encode({
      // The seed names the group; group conversations are `g_<group_id>`.
      groupId: task.conversationId.startsWith('g_') ? task.conversationId.slice(2) : '',
      messageId: task.messageId,
      // The audience is the conversation's subscribers (one publish): no member batches.
      batchSize: 0,
      conversationId: task.conversationId,
      seq: task.seq,
      frame: task.frame,
      exceptConnection: task.exceptConnection ?? '',
      exceptUser: task.exceptUser ?? '',
      afterUserId: '',
    }).finish();
  },

  /** Throws on a payload a worker cannot act on (the queue dead-letters it). */
  decode(payload: Uint8Array): LargeGroupFanoutTask {
    const proto = Proto.decode(payload);
    if (proto.conversationId === '') throw new Error('a fan-out task names no conversation');
    if (proto.frame.length === 0) throw new Error('a fan-out task carries no frame');
    return {
      conversationId: proto.conversationId,
      messageId: proto.messageId,
      seq: proto.seq,
      frame: Buffer.from(proto.frame),
      exceptConnection: proto.exceptConnection || undefined,
      exceptUser: proto.exceptUser || undefined,
    };
  },
};
