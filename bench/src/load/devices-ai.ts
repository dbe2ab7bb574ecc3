/**
 * The AI service of the `devices` scenario, in a process of its own (forked by the load
 * process, so that the devices and the AI service do not share an event loop): it says
 * `tts start` at hello and answers every audio frame with one of its own. Frames carry their
 * send time (ms since the epoch, sub-millisecond) in their first 8 bytes; this process
 * records the device → AI latency of each frame while asked to measure, and reports them.
 */
import { Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import { AIServiceService, ResponseType, type ChatRequest, type ChatResponse } from '@parley/proto';

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

export type AiControl =
  { readonly type: 'measure'; readonly on: boolean } | { readonly type: 'report' };

export type AiReport =
  { readonly type: 'ready' } | { readonly type: 'report'; readonly up: number[] };

async function serve(port: number): Promise<void> {
  let measuring = false;
  let up: number[] = [];
  const server = new Server();
  server.addService(AIServiceService, {
    chatStream: (call: ServerDuplexStream<ChatRequest, ChatResponse>) => {
      const reply = (req: ChatRequest, response: Partial<ChatResponse>) =>
        call.write({
          messageId: '',
          deviceId: req.deviceId,
          type: ResponseType.RESPONSE_TYPE_UNSPECIFIED,
          timestamp: 0,
          sessionId: req.sessionId,
          ...response,
        });
      call.on('data', (req: ChatRequest) => {
        if (req.audio !== undefined) {
          if (measuring) up.push(wallNow() - req.audio.data.readDoubleBE(0));
          reply(req, {
            type: ResponseType.RESPONSE_TYPE_AUDIO,
            audio: { data: stamp(), format: 'opus', sampleRate: 24_000, frameDuration: FRAME_MS },
          });
        } else if (req.hello !== undefined) {
          reply(req, {
            type: ResponseType.RESPONSE_TYPE_STATUS,
            status: { ttsState: 'start', text: '' },
          });
        }
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
  process.on('message', (message: AiControl) => {
    if (message.type === 'measure') measuring = message.on;
    else {
      process.send?.({ type: 'report', up } satisfies AiReport);
      up = [];
    }
  });
  process.on('disconnect', () => {
    server.forceShutdown();
    process.exit(0);
  });
  process.send?.({ type: 'ready' } satisfies AiReport);
}

if (process.argv[2] === '--serve') void serve(Number(process.argv[3]));
