/**
 * The AI service of the `devices` scenario, in a process of its own (forked by the load
 * process, so that the devices and the AI service do not share an event loop): it says
 * `tts start` at hello and answers every audio frame with one of its own. Frames carry their
 * send time (ms since the epoch, sub-millisecond) in their first 8 bytes; this process
 * records the device → AI latency of each frame while asked to measure, and reports them.
 *
 * Two peers: `h2` (the default) speaks gRPC on node:http2 as a C-core service would — large
 * HTTP/2 windows, the answers of one event-loop turn in one write — so that it takes little
 * of the machine Parley is measured on; `grpc-js` is a @grpc/grpc-js server, one write per
 * answer and 64 KiB windows, which costs Parley (and itself) more per frame.
 */
import { createServer, type ServerHttp2Stream } from 'node:http2';
import { Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import { AIServiceService, ChatRequest, ChatResponse, ResponseType } from '@parley/proto';

export const FRAME_MS = 60;
/** A 60 ms Opus frame at about 16 kbit/s. The first 8 bytes carry the send time. */
export const FRAME_BYTES = 120;

/** Now, in ms since the epoch, with the precision of performance.now(): one clock for all. */
export const wallNow = (): number => performance.timeOrigin + performance.now();

export const stamp = (): Buffer => {
  const payload = Buffer.alloc(FRAME_BYTES);
  payload.writeDoubleBE(wallNow(), 0);
  return payload;
};

export type AiPeer = 'h2' | 'grpc-js';

export type AiControl =
  { readonly type: 'measure'; readonly on: boolean } | { readonly type: 'report' };

export type AiReport =
  { readonly type: 'ready' } | { readonly type: 'report'; readonly up: number[] };

/** What the process measures, and how the control messages of the load process reach it. */
interface Recorder {
  measuring: boolean;
  up: number[];
}

const audioAnswer = (req: ChatRequest): ChatResponse => ({
  messageId: '',
  deviceId: req.deviceId,
  type: ResponseType.RESPONSE_TYPE_AUDIO,
  timestamp: 0,
  sessionId: req.sessionId,
  audio: { data: stamp(), format: 'opus', sampleRate: 24_000, frameDuration: FRAME_MS },
});

const ttsStart = (req: ChatRequest): ChatResponse => ({
  messageId: '',
  deviceId: req.deviceId,
  type: ResponseType.RESPONSE_TYPE_STATUS,
  timestamp: 0,
  sessionId: req.sessionId,
  status: { ttsState: 'start', text: '' },
});

const framed = (message: Uint8Array): Buffer => {
  const out = Buffer.allocUnsafe(5 + message.byteLength);
  out[0] = 0;
  out.writeUInt32BE(message.byteLength, 1);
  out.set(message, 5);
  return out;
};

/** gRPC on node:http2: answers batched per turn; each session's audio answer encoded once. */
async function serveH2(port: number, rec: Recorder): Promise<() => void> {
  const server = createServer({ settings: { initialWindowSize: 4 << 20 } });
  server.on('session', (session) => session.setLocalWindowSize(16 << 20));
  server.on('stream', (stream: ServerHttp2Stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
    stream.on('error', () => {});
    const answers = new Map<string, { template: Buffer; at: number }>();
    let pending: Buffer[] = [];
    const send = (b: Buffer) => {
      if (pending.length === 0) {
        setImmediate(() => {
          const out = pending;
          pending = [];
          if (!stream.destroyed) stream.write(Buffer.concat(out));
        });
      }
      pending.push(b);
    };
    let rest: Buffer = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => {
      let buf: Buffer = rest.length === 0 ? chunk : Buffer.concat([rest, chunk]);
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
        const end = 5 + buf.readUInt32BE(1);
        const req = ChatRequest.decode(buf.subarray(5, end));
        buf = buf.subarray(end);
        if (req.audio !== undefined) {
          if (rec.measuring) rec.up.push(wallNow() - req.audio.data.readDoubleBE(0));
          let answer = answers.get(req.sessionId);
          if (answer === undefined) {
            const mark = Buffer.alloc(FRAME_BYTES, 0xab);
            const response = audioAnswer(req);
            response.audio = { ...response.audio!, data: mark };
            const template = framed(ChatResponse.encode(response).finish());
            answer = { template, at: template.indexOf(mark) };
            answers.set(req.sessionId, answer);
          }
          const out = Buffer.from(answer.template);
          out.writeDoubleBE(wallNow(), answer.at);
          send(out);
        } else if (req.hello !== undefined) {
          send(framed(ChatResponse.encode(ttsStart(req)).finish()));
        }
      }
      rest = buf;
    });
    stream.on('end', () => stream.end());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return () => server.close();
}

/** A @grpc/grpc-js server: one write per answer. */
async function serveGrpcJs(port: number, rec: Recorder): Promise<() => void> {
  const server = new Server();
  server.addService(AIServiceService, {
    chatStream: (call: ServerDuplexStream<ChatRequest, ChatResponse>) => {
      call.on('data', (req: ChatRequest) => {
        if (req.audio !== undefined) {
          if (rec.measuring) rec.up.push(wallNow() - req.audio.data.readDoubleBE(0));
          call.write(audioAnswer(req));
        } else if (req.hello !== undefined) call.write(ttsStart(req));
      });
      call.on('error', () => {});
      call.on('end', () => call.end());
    },
  });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err) =>
      err ? reject(err) : resolve(),
    ),
  );
  return () => server.forceShutdown();
}

async function serve(port: number, peer: AiPeer): Promise<void> {
  const rec: Recorder = { measuring: false, up: [] };
  const stop = await (peer === 'grpc-js' ? serveGrpcJs : serveH2)(port, rec);
  process.on('message', (message: AiControl) => {
    if (message.type === 'measure') rec.measuring = message.on;
    else {
      process.send?.({ type: 'report', up: rec.up } satisfies AiReport);
      rec.up = [];
    }
  });
  process.on('disconnect', () => {
    stop();
    process.exit(0);
  });
  process.send?.({ type: 'ready' } satisfies AiReport);
}

if (process.argv[2] === '--serve') {
  void serve(Number(process.argv[3]), process.argv[4] === 'grpc-js' ? 'grpc-js' : 'h2');
}
