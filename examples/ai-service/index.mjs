// A reference AI service for Parley's device gateway (seed 002, DEVICES.md): it implements
// im.ai.v1.AIService.ChatStream with no model, but real behaviour — a text or spoken turn is
// answered with `stt`/`llm`/`tts` frames and real Opus audio (24 kHz mono, 60 ms frames,
// encoded by opusscript, WASM), an abort stops the reply at once, a turn that says "tool"
// lists the device's MCP tools and calls one, and one that says "in writing" is answered in llm
// text only (no tts).
//
// Run: node examples/ai-service/index.mjs [port]   (default 50051; PARLEY_AI_ADDR=127.0.0.1:50051)
import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import { AIServiceService, MessageType, ResponseType } from '@parley/proto';
import OpusScript from 'opusscript';
import { fileURLToPath } from 'node:url';

const SAMPLE_RATE = 24_000;
const FRAME_MS = 60;
const FRAME_SAMPLES = (SAMPLE_RATE * FRAME_MS) / 1000;

/** `count` Opus packets of a 440 Hz tone (encoded once, reused by every reply). */
function toneFrames(count, bitrate) {
  const encoder = new OpusScript(SAMPLE_RATE, 1, OpusScript.Application.AUDIO);
  encoder.setBitrate(bitrate);
  const frames = [];
  for (let f = 0; f < count; f++) {
    const pcm = Buffer.alloc(FRAME_SAMPLES * 2);
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      const t = (f * FRAME_SAMPLES + i) / SAMPLE_RATE;
      pcm.writeInt16LE(Math.round(8000 * Math.sin(2 * Math.PI * 440 * t)), i * 2);
    }
    frames.push(Buffer.from(encoder.encode(pcm, FRAME_SAMPLES)));
  }
  encoder.delete();
  return frames;
}

/**
 * Starts the service. Options: port (0: a free one), host, replyFrames (Opus frames per
 * reply), frameIntervalMs (pace of the reply's audio; 60 is real time, 0 all at once),
 * bitrate (of the Opus encoder, bits/s), log (a function).
 * Returns { port, addr, stats, breakStreams(), openStreams(), sessionsPerStream(), close() }.
 */
export async function startAiService(options = {}) {
  const {
    port = 50051,
    host = '127.0.0.1',
    replyFrames = 10,
    frameIntervalMs = FRAME_MS,
    bitrate = 24_000,
    log = () => {},
  } = options;
  const frames = toneFrames(Math.max(1, replyFrames), bitrate);
  const calls = new Set();
  /** Each open stream's live sessions (tests look at how Parley spreads them). */
  const sessionsOf = new Map();
  const stats = {
    streams: 0,
    requests: {},
    audioIn: 0,
    aborts: 0,
    mcpResults: [],
    sessions: new Set(),
    /** The last requests other than audio, as received (bounded; tests look at them). */
    recent: [],
  };
  const server = new Server();
  server.addService(AIServiceService, {
    chatStream: (call) => {
      calls.add(call);
      stats.streams++;
      const sessions = new Map();
      sessionsOf.set(call, sessions);
      let seq = 0;
      const send = (request, type, content) => {
        if (call.writableEnded || call.destroyed) return;
        call.write({
          messageId: `ai-${++seq}`,
          deviceId: request.deviceId,
          type,
          timestamp: Date.now(),
          sessionId: request.sessionId,
          ...content,
        });
      };
      const text = (req, kind, body, emotion = '') =>
        send(req, ResponseType.RESPONSE_TYPE_TEXT, {
          text: { kind, text: body, emotion, final: true },
        });
      const tts = (req, ttsState, body = '') =>
        send(req, ResponseType.RESPONSE_TYPE_STATUS, { status: { ttsState, text: body } });
      const mcp = (req, payload) =>
        send(req, ResponseType.RESPONSE_TYPE_MCP, {
          mcp: { payloadJson: JSON.stringify(payload) },
        });

      const stopReply = (session) => {
        clearTimeout(session.timer);
        session.timer = undefined;
      };
      const reply = (session, req, answer) => {
        stopReply(session);
        text(req, 'llm', answer, '😊');
        tts(req, 'start');
        tts(req, 'sentence_start', answer);
        let i = 0;
        const audio = (data) =>
          send(req, ResponseType.RESPONSE_TYPE_AUDIO, {
            audio: { data, format: 'opus', sampleRate: SAMPLE_RATE, frameDuration: FRAME_MS },
          });
        if (frameIntervalMs === 0) {
          // As fast as the stream takes them (tests of slow devices).
          for (const frame of frames) audio(frame);
          tts(req, 'stop');
          return;
        }
        const next = () => {
          if (i < frames.length) {
            // A second sentence half-way, as a model's reply streams in.
            if (i === Math.ceil(frames.length / 2) && frames.length > 1) {
              tts(req, 'sentence_start', 'Anything else?');
            }
            audio(frames[i++]);
            session.timer = setTimeout(next, frameIntervalMs);
          } else {
            session.timer = undefined;
            tts(req, 'stop');
          }
        };
        next();
      };
      const turn = (session, req, said) => {
        if (/\btool\b/i.test(said) && session.mcp) {
          // List the device's tools, then call the first one; the answer speaks its result.
          session.pending = { req, said };
          mcp(req, { jsonrpc: '2.0', id: ++session.rpc, method: 'tools/list', params: {} });
          return;
        }
        if (/\bin writing\b/i.test(said)) {
          // Answered in llm text only, as a text-only AI service (a chat bot, a screen) does.
          stopReply(session);
          text(req, 'llm', `You wrote: ${said}`, '🙂');
          return;
        }
        reply(session, req, `You said: ${said}`);
      };

      call.on('data', (req) => {
        const key = req.type in MessageType ? req.type : 0;
        stats.requests[key] = (stats.requests[key] ?? 0) + 1;
        if (req.audio === undefined) {
          stats.recent.push(req);
          if (stats.recent.length > 200) stats.recent.shift();
        }
        let session = sessions.get(req.sessionId);
        if (req.hello !== undefined) {
          const features = JSON.parse(req.hello.featuresJson || '{}');
          session = {
            mcp: features.mcp === true,
            rpc: 0,
            heard: 0,
            timer: undefined,
            pending: undefined,
          };
          sessions.set(req.sessionId, session);
          stats.sessions.add(req.sessionId);
          if (session.mcp) {
            mcp(req, {
              jsonrpc: '2.0',
              id: ++session.rpc,
              method: 'initialize',
              params: {
                protocolVersion: '2024-11-05',
                capabilities: {},
                clientInfo: { name: 'parley-reference-ai', version: '1' },
              },
            });
          }
          return;
        }
        if (session === undefined) {
          send(req, ResponseType.RESPONSE_TYPE_ERROR, {
            error: { code: 'NO_SESSION', message: 'Say hello first.' },
          });
          return;
        }
        if (req.audio !== undefined) {
          session.heard++;
          stats.audioIn++;
        } else if (req.listen !== undefined) {
          if (req.listen.state === 'start') session.heard = 0;
          else if (req.listen.state === 'stop') {
            const said = `${session.heard} audio frames`;
            text(req, 'stt', `(heard ${said})`);
            turn(session, req, said);
          } else if (req.listen.state === 'detect') {
            text(req, 'stt', req.listen.text);
            turn(session, req, req.listen.text);
          }
        } else if (req.chat !== undefined) {
          turn(session, req, req.chat.text);
        } else if (req.abort !== undefined) {
          stats.aborts++;
          stopReply(session);
        } else if (req.mcp !== undefined) {
          onMcp(session, req, JSON.parse(req.mcp.payloadJson));
        } else if (req.close !== undefined) {
          stopReply(session);
          sessions.delete(req.sessionId);
        }
      });
      const onMcp = (session, req, message) => {
        const tools = message?.result?.tools;
        if (Array.isArray(tools) && session.pending !== undefined) {
          const tool = tools[0];
          if (tool === undefined) {
            const { req: first } = session.pending;
            session.pending = undefined;
            return reply(session, first, 'The device has no tools.');
          }
          mcp(req, {
            jsonrpc: '2.0',
            id: ++session.rpc,
            method: 'tools/call',
            params: { name: tool.name, arguments: {} },
          });
          return;
        }
        if (message?.result?.content !== undefined && session.pending !== undefined) {
          stats.mcpResults.push(message.result);
          const said = message.result.content.map((c) => c.text ?? '').join(' ');
          const { req: first } = session.pending;
          session.pending = undefined;
          reply(session, first, `The tool said: ${said}`);
        }
      };
      const forget = () => {
        for (const s of sessions.values()) stopReply(s);
        calls.delete(call);
        sessionsOf.delete(call);
      };
      call.on('end', () => {
        forget();
        call.end();
      });
      call.on('error', forget);
      call.on('cancelled', forget);
    },
  });
  const bound = await new Promise((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  log(`AI service listening on ${host}:${bound}`);
  return {
    port: bound,
    addr: `${host}:${bound}`,
    stats,
    /** Ends every open ChatStream with UNAVAILABLE (the client must reconnect). */
    breakStreams() {
      for (const call of [...calls]) {
        calls.delete(call);
        call.emit('error', { code: status.UNAVAILABLE, details: 'stream broken on purpose' });
      }
    },
    openStreams: () => calls.size,
    /** How many sessions each open stream carries. */
    sessionsPerStream: () => [...calls].map((call) => sessionsOf.get(call)?.size ?? 0),
    close: () =>
      new Promise((resolve) => {
        server.forceShutdown();
        resolve();
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const port = Number(process.argv[2] ?? process.env.PORT ?? 50051);
  const service = await startAiService({ port, log: (line) => process.stdout.write(`${line}\n`) });
  const stop = () => void service.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
