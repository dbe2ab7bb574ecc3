/** The stream and the durable consumer behind the JetStream TaskQueue, made when missing. */
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

export interface TaskStreamNames {
  readonly stream: string;
  readonly subject: string;
  readonly consumer: string;
}

const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

const isApiError = (err: unknown, code: number): boolean =>
  err instanceof JetStreamApiError && err.code === code;

/**
 * A work-queue stream in files: a task is removed once a worker acknowledges (or terminates) it.
 * An existing stream is used as it is, provided that it is a work queue.
 */
export async function ensureTaskStream(jsm: JetStreamManager, names: TaskStreamNames) {
  try {
    const info = await jsm.streams.info(names.stream);
    if (info.config.retention !== RetentionPolicy.Workqueue) {
      throw new Error(
        `NATS stream ${names.stream} exists but is not a work queue (retention ${info.config.retention})`,
      );
    }
    if (!info.config.subjects.includes(names.subject)) {
      throw new Error(`NATS stream ${names.stream} exists but does not hold ${names.subject}`);
    }
    return;
  } catch (err) {
    if (!isApiError(err, STREAM_NOT_FOUND)) throw err;
  }
  // Two processes may both get here: the same configuration twice is no error for the server.
  await jsm.streams.add({
    name: names.stream,
    subjects: [names.subject],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
  });
}

/**
 * The durable pull consumer all workers share. `max_deliver` is one more than the attempts a
 * task gets, so that a task whose worker died on its last attempt still comes back once, to be
 * terminated and reported instead of staying in the stream forever.
 */
export async function ensureTaskConsumer(
  jsm: JetStreamManager,
  names: TaskStreamNames,
  settings: { readonly ackWaitMs: number; readonly maxDeliveries: number },
) {
  const wanted = {
    ack_wait: nanos(settings.ackWaitMs),
    max_deliver: settings.maxDeliveries + 1,
  };
  try {
    const info = await jsm.consumers.info(names.stream, names.consumer);
    if (
      info.config.ack_wait !== wanted.ack_wait ||
      info.config.max_deliver !== wanted.max_deliver
    ) {
      await jsm.consumers.update(names.stream, names.consumer, wanted);
    }
    return;
  } catch (err) {
    if (!isApiError(err, CONSUMER_NOT_FOUND)) throw err;
  }
  await jsm.consumers.add(names.stream, {
    durable_name: names.consumer,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: names.subject,
    ...wanted,
  });
}
