/**
 * JSON over HTTP for the load, on `node:http` with kept-alive connections. `fetch` cost the
 * load process more than the server it measured: at 500 page reads a second it allocated
 * 12 MB between two young-generation collections and kept 2 MB of it alive past each one, so
 * every collection (5–12 ms, about three a second) held the readers and showed up as page
 * latency the server never had.
 */
import http from 'node:http';

/** A parsed JSON reply; the scenarios read the fields they know. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type JsonReply = Record<string, any>;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export function callJson(
  url: string,
  path: string,
  token: string,
  init: { body?: string; method?: string } = {},
): Promise<JsonReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { authorization: `Bearer ${token}` };
    if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(init.body);
    }
    const req = http.request(
      `${url}${path}`,
      { agent, method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 299) {
            reject(new Error(`${path}: ${status} ${text.slice(0, 300)}`));
            return;
          }
          try {
            resolve(JSON.parse(text) as JsonReply);
          } catch (err) {
            reject(err as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
