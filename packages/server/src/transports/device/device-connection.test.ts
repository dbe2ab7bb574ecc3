import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { decodeBinaryFrame, type ProtocolVersion } from '../../protocol/device-audio.js';
import { DeviceConnection } from './device-connection.js';

let http: Server | undefined;
afterEach(() => http?.close());

/** A DeviceConnection on a real WebSocket, and the device's end of it. */
async function pair(version: ProtocolVersion) {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  const server = createServer();
  http = server;
  const opened = new Promise<DeviceConnection>((resolve) => {
    server.on('upgrade', (req, socket: Duplex, head) =>
      wss.handleUpgrade(req, socket, head, (ws) =>
        resolve(
          new DeviceConnection({
            ws,
            socket,
            version,
            limits: { sendQueueBytes: 1 << 20, framesPerSecond: 100, frameBurst: 200 },
            now: () => 1_000,
            onSlow: () => {},
          }),
        ),
      ),
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const device = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
  const received: { data: Buffer; binary: boolean }[] = [];
  device.on('message', (data: Buffer, binary) => received.push({ data, binary }));
  await once(device, 'open');
  return { conn: await opened, device, received };
}

describe('DeviceConnection', () => {
  // Frame payloads on each side of WebSocket's 2-, 4- and 10-byte headers.
  const SIZES = [1, 121, 125, 126, 200, 65_531, 65_535, 70_000];

  for (const version of [1, 2, 3] as const) {
    it(`sends audio as whole WebSocket frames in Protocol-Version ${version}, between JSON frames`, async () => {
      const { conn, device, received } = await pair(version);
      const sizes = SIZES.filter((n) => version !== 3 || n <= 0xffff);
      const packets = sizes.map((n, i) => Buffer.alloc(n, i + 1));
      for (const packet of packets) {
        conn.sendAudio(packet);
        conn.send({ type: 'tts', state: 'sentence_start', text: String(packet.length) });
      }
      for (let i = 0; i < 200 && received.length < packets.length * 2; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(received).toHaveLength(packets.length * 2);
      packets.forEach((packet, i) => {
        const audio = received[i * 2]!;
        expect(audio.binary).toBe(true);
        const frame = decodeBinaryFrame(version, audio.data);
        expect(frame.kind).toBe('audio');
        expect(frame.kind === 'audio' && Buffer.from(frame.data).equals(packet)).toBe(true);
        const text = received[i * 2 + 1]!;
        expect(text.binary).toBe(false);
        expect(JSON.parse(text.data.toString()).text).toBe(String(packet.length));
      });
      device.close();
    });
  }
});
