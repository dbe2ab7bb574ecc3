import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { looksLikeToken, redactHeaders, redactUrl } from './redact.js';

const JWT =
  'eyJhbGciOiJFZERTQSIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiIwMUhYIiwic2lkIjoiMDFIWSJ9.c2lnbmF0dXJlLWJ5dGVz';
const REFRESH = randomBytes(32).toString('base64url');
const KEY = `pwk_${randomBytes(18).toString('base64url')}`;

/** A real logger writing into an array: what an operator would read. */
function capturedLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger('info', stream), text: () => lines.join('') };
}

describe('log redaction', () => {
  it('redacts token-looking query values whatever the parameter is called', () => {
    expect(redactUrl(`/v1/ws?AccessToken=${JWT}&x=1`)).toBe('/v1/ws?AccessToken=[redacted]&x=1');
    expect(redactUrl(`/a?x=1&rt=${REFRESH}`)).toBe('/a?x=1&rt=[redacted]');
    expect(redactUrl(`/a?k=${encodeURIComponent(KEY)}#top`)).toBe('/a?k=[redacted]#top');
    expect(redactUrl(`/a?auth=Bearer%20${JWT}`)).toBe('/a?auth=[redacted]');
    // By name, as before, even when the value does not look like anything.
    expect(redactUrl('/v1/ws?access_token=abc.def&x=1')).toBe('/v1/ws?access_token=[redacted]&x=1');
    expect(redactUrl('/a?x=1&Refresh-Token=zzz')).toBe('/a?x=1&Refresh-Token=[redacted]');
    // Ordinary values stay readable.
    const plain =
      '/v1/conversations/s_01HXZ5K0000000000000000000_01HXZ5K0000000000000000001/messages?limit=50&after_seq=3';
    expect(redactUrl(plain)).toBe(plain);
    expect(redactUrl('/plain')).toBe('/plain');
  });

  it('tells tokens from ordinary values', () => {
    for (const token of [JWT, REFRESH, KEY, `Bearer ${JWT}`, `Bearer ${REFRESH}`]) {
      expect(looksLikeToken(token), token).toBe(true);
    }
    for (const value of ['hello', 'eyJ', '4bf92f3577b34da6a3ce929d0e0e4736', 'pwk_', 'a.b.c']) {
      expect(looksLikeToken(value), value).toBe(false);
    }
  });

  it('redacts token-looking headers whatever their name', () => {
    expect(
      redactHeaders({ 'x-session': REFRESH, 'x-debug': [`Bearer ${JWT}`], accept: 'text/html' }),
    ).toEqual({ 'x-session': '[redacted]', 'x-debug': '[redacted]', accept: 'text/html' });
  });

  it('keeps tokens out of the log lines the logger writes', () => {
    const { logger, text } = capturedLogger();
    logger.info({ url: `/v1/users/me?AccessToken=${JWT}&cursor=abc` }, 'request');
    logger.warn({ headers: { 'x-worker-key': KEY, 'user-agent': 'curl' } }, 'odd request');
    logger.error(
      { req: { method: 'GET', url: `/x?q=${REFRESH}`, headers: { 'x-auth': JWT } } },
      'failed',
    );
    const written = text();
    for (const secret of [JWT, REFRESH, KEY]) expect(written).not.toContain(secret);
    expect(written).toContain('AccessToken=[redacted]&cursor=abc');
    expect(written).toContain('"user-agent":"curl"');
    expect(written).toContain('"method":"GET"');
  });
});
