/** Real gRPC peers for the tests: Parley's side of the contract, reduced to what a test needs. */
import { credentials, Metadata, Server, ServerCredentials, type ServiceError } from '@grpc/grpc-js';
import {
  ExtCallbackServiceService,
  ExtMessage,
  ExtMessageServiceClient,
  MsgStatus,
  type ExtCallbackServiceServer,
  type ExtCompleteRequest,
  type ExtHandleAck,
  type ExtHandleRequest,
  type ExtHandleResponse,
} from '@parley/proto';

/** A client of an extension, as Parley's router would hold one. */
export function extClient(addr: string): ExtMessageServiceClient {
  return new ExtMessageServiceClient(addr, credentials.createInsecure());
}

const inMs = (ms: number) => ({ deadline: new Date(Date.now() + ms) });

export function callHandle(
  client: ExtMessageServiceClient,
  request: ExtHandleRequest,
  timeoutMs = 5_000,
): Promise<ExtHandleResponse> {
  return new Promise((resolve, reject) => {
    client.handle(request, new Metadata(), inMs(timeoutMs), (err, res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

export function callHandleAsync(
  client: ExtMessageServiceClient,
  request: ExtHandleRequest,
  timeoutMs = 5_000,
): Promise<ExtHandleAck> {
  return new Promise((resolve, reject) => {
    client.handleAsync(request, new Metadata(), inMs(timeoutMs), (err, res) =>
      err ? reject(err) : resolve(res),
    );
  });
}

/** The gRPC status code of a failed call (undefined if it did not fail). */
export async function codeOf(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
    return undefined;
  } catch (err) {
    return (err as ServiceError).code;
  }
}

let seq = 0;

/** A request as Parley sends it: `content` becomes the UTF-8 JSON payload. */
export function request(
  msgType: string,
  content: unknown,
  extra: {
    msgId?: string;
    requestId?: string;
    callback?: string;
    token?: string;
    fromUid?: string;
  } = {},
): ExtHandleRequest {
  seq += 1;
  const tags: Record<string, string> = {};
  if (extra.callback !== undefined) tags['x-parley-callback'] = extra.callback;
  if (extra.token !== undefined) tags['x-parley-callback-token'] = extra.token;
  return {
    message: ExtMessage.fromPartial({
      msgId: extra.msgId ?? `m${Date.now().toString(36)}x${seq}`,
      conversation: 'c_1',
      fromUid: extra.fromUid ?? 'alice',
      toUid: 'bob',
      msgType,
      payload: Buffer.from(typeof content === 'string' ? content : JSON.stringify(content)),
      header: {
        requestId: extra.requestId ?? `r${seq}`,
        async: extra.callback !== undefined,
        timeoutMs: 500,
        tags,
      },
    }),
  };
}

/** The content of a generated message. */
export const contentOf = (m: ExtMessage): unknown => JSON.parse(m.payload.toString('utf8'));

const FINAL = new Set([MsgStatus.MSG_SUCCESS, MsgStatus.MSG_FAILED, MsgStatus.MSG_REJECTED]);

/** Parley's `ExtCallbackService`: records every `Complete`. */
export interface CallbackServer {
  readonly addr: string;
  /** Every call received, in order. */
  readonly calls: ExtCompleteRequest[];
  /** The `x-parley-callback-token` metadata of each call in `calls` ('' for none). */
  readonly tokens: string[];
  /** What `Complete` answers: `ok` (default true). */
  answerOk: boolean;
  /** Resolves with the calls for `msgId` once one of them has a final status. */
  final(msgId: string): Promise<ExtCompleteRequest[]>;
  close(): Promise<void>;
}

export async function startCallbackServer(): Promise<CallbackServer> {
  const server = new Server();
  const calls: ExtCompleteRequest[] = [];
  const tokens: string[] = [];
  const waiters = new Set<() => void>();
  const state: CallbackServer = {
    addr: '',
    calls,
    tokens,
    answerOk: true,
    final: (msgId) =>
      new Promise((resolve) => {
        const check = () => {
          const mine = calls.filter((c) => c.msgId === msgId);
          if (mine.some((c) => FINAL.has(c.status))) {
            waiters.delete(check);
            resolve(mine);
          }
        };
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
  };
  const service: ExtCallbackServiceServer = {
    complete: (call, callback) => {
      calls.push(call.request);
      tokens.push(String(call.metadata.get('x-parley-callback-token')[0] ?? ''));
      callback(null, { ok: state.answerOk });
      for (const waiter of [...waiters]) waiter();
    },
  };
  server.addService(ExtCallbackServiceService, service);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    );
  });
  return Object.assign(state, { addr: `127.0.0.1:${port}` });
}
