import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js';
import {
  ExtCallbackServiceClient,
  ExtMessageServiceService,
  MsgScene,
  MsgStatus,
  type ExtCompleteRequest,
  type ExtHandleAck,
  type ExtHandleRequest,
  type ExtHandleResponse,
  type ExtMessage,
} from '@parley/proto';
import { credentials, Metadata } from '@grpc/grpc-js';

export type HandleFn = (
  message: ExtMessage,
) => Promise<Partial<ExtHandleResponse>> | Partial<ExtHandleResponse> | 'hang';

/** A real gRPC extension service in the test process, with a log of what it was asked. */
export interface TestExtension {
  readonly addr: string;
  readonly calls: ExtMessage[];
  /** The `traceparent` metadata of each call, in the order of `calls`. */
  readonly traceparents: string[];
  handle: HandleFn;
  handleAsync: (message: ExtMessage) => boolean | 'hang';
  close(): Promise<void>;
}

export async function startTestExtension(
  handle: HandleFn = () => ({ accept: true, status: MsgStatus.MSG_SUCCESS }),
): Promise<TestExtension> {
  const server = new Server();
  const ext: TestExtension = {
    addr: '',
    calls: [],
    traceparents: [],
    handle,
    handleAsync: () => true,
    close: () => new Promise((resolve) => server.tryShutdown(() => resolve())),
  };
  server.addService(ExtMessageServiceService, {
    handle: (
      call: ServerUnaryCall<ExtHandleRequest, ExtHandleResponse>,
      callback: sendUnaryData<ExtHandleResponse>,
    ) => {
      const message = call.request.message as ExtMessage;
      ext.calls.push(message);
      ext.traceparents.push(String(call.metadata.get('traceparent')[0] ?? ''));
      void Promise.resolve(ext.handle(message)).then((result) => {
        if (result === 'hang') return;
        callback(null, {
          accept: false,
          reason: '',
          generated: [],
          status: MsgStatus.MSG_UNKNOWN,
          ...result,
        });
      });
    },
    handleAsync: (
      call: ServerUnaryCall<ExtHandleRequest, ExtHandleAck>,
      callback: sendUnaryData<ExtHandleAck>,
    ) => {
      const message = call.request.message as ExtMessage;
      ext.calls.push(message);
      ext.traceparents.push(String(call.metadata.get('traceparent')[0] ?? ''));
      const accepted = ext.handleAsync(message);
      if (accepted === 'hang') return;
      callback(null, { requestId: message.header?.requestId ?? '', accepted });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return Object.assign(ext, { addr: `127.0.0.1:${port}` });
}

/** A generated message as an extension returns it. */
export function generated(msgType: string, content: unknown, fromUid = ''): ExtMessage {
  return {
    msgId: '',
    conversation: '',
    fromUid,
    toUid: '',
    groupId: '',
    msgType,
    scene: MsgScene.SCENE_CHAT,
    clientTs: 0,
    serverTs: 0,
    seq: 0,
    header: undefined,
    payload: Buffer.from(JSON.stringify(content)),
    status: MsgStatus.MSG_UNKNOWN,
  };
}

/** Calls Parley's ExtCallbackService.Complete at `addr`, with `token` as its metadata if given. */
export function complete(
  addr: string,
  request: Partial<ExtCompleteRequest> & { msgId: string; status: MsgStatus },
  token?: string,
): Promise<{ ok: boolean }> {
  const client = new ExtCallbackServiceClient(addr, credentials.createInsecure());
  const metadata = new Metadata();
  if (token !== undefined) metadata.set('x-parley-callback-token', token);
  return new Promise((resolve, reject) => {
    client.complete(
      { requestId: '', reason: '', generated: [], ...request },
      metadata,
      (err, res) => {
        client.close();
        if (err) reject(err);
        else resolve(res);
      },
    );
  });
}

/** Where an async call's results go, and the token they must carry. */
export function callbackOf(call: ExtMessage): { addr: string; token: string } {
  const tags = call.header?.tags ?? {};
  return { addr: tags['x-parley-callback'] ?? '', token: tags['x-parley-callback-token'] ?? '' };
}

export const payloadOf = (m: ExtMessage): unknown =>
  JSON.parse(Buffer.from(m.payload).toString('utf8'));
