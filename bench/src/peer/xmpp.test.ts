import { xml } from '@xmpp/client';
import { describe, expect, it } from 'vitest';
import {
  account,
  bareJid,
  chatMessage,
  deliveredBody,
  initialPresence,
  isOwnPresence,
  isStanzaError,
  offersFeatures,
  plainAuth,
  saslOutcome,
  streamHeader,
} from './xmpp.js';

describe('bench accounts', () => {
  it('are numbered, with a matching password and bare JID', () => {
    expect(account(7)).toEqual({ username: 'u7', password: 'p7' });
    expect(bareJid(7)).toBe('u7@localhost');
    expect(bareJid(0, 'bench.test')).toBe('u0@bench.test');
  });
});

describe('XMPP stanzas', () => {
  it('builds a chat message to a bare JID, escaping its text', () => {
    expect(chatMessage('u1@localhost', 'p0-1', '12.5 <&>').toString()).toBe(
      '<message to="u1@localhost" id="p0-1" type="chat"><body>12.5 &lt;&amp;&gt;</body></message>',
    );
    expect(initialPresence().toString()).toBe('<presence/>');
  });

  it('reads the body of a delivered message, and nothing else', () => {
    const delivered = xml(
      'message',
      { from: 'u0@localhost/bench', to: 'u1@localhost', type: 'chat' },
      xml('stanza-id', { xmlns: 'urn:xmpp:sid:0', id: '1', by: 'u1@localhost' }),
      xml('body', {}, '301.25'),
    );
    expect(deliveredBody(delivered)).toBe('301.25');
    const bounced = xml('message', { type: 'error' }, xml('body', {}, '1'));
    expect(deliveredBody(bounced)).toBeUndefined();
    expect(isStanzaError(bounced)).toBe(true);
    expect(deliveredBody(xml('message', { type: 'chat' }))).toBeUndefined();
    expect(deliveredBody(xml('presence', {}, xml('body', {}, '1')))).toBeUndefined();
  });

  it("recognises the echo of the session's own initial presence", () => {
    const jid = 'u3@localhost/bench';
    expect(isOwnPresence(xml('presence', { from: jid, to: jid }), jid)).toBe(true);
    expect(isOwnPresence(xml('presence', { from: 'u4@localhost/bench' }), jid)).toBe(false);
    expect(isOwnPresence(xml('presence', { from: jid, type: 'unavailable' }), jid)).toBe(false);
    expect(isOwnPresence(xml('presence', { from: jid }), undefined)).toBe(false);
  });

  it('opens a client stream and tells when features have come back', () => {
    expect(streamHeader()).toContain("<stream:stream to='localhost' version='1.0'");
    expect(streamHeader()).toContain("xmlns='jabber:client'");
    expect(offersFeatures("<?xml version='1.0'?><stream:stream id='1'>")).toBe(false);
    expect(
      offersFeatures("<stream:stream id='1'><stream:features><mechanisms/></stream:features>"),
    ).toBe(true);
  });

  it('authenticates the readiness probe with SASL PLAIN and reads the outcome', () => {
    const auth = plainAuth('u0', 'p0');
    expect(auth).toMatch(/^<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>/);
    const b64 = /'PLAIN'>([^<]+)</.exec(auth)?.[1] ?? '';
    expect(Buffer.from(b64, 'base64').toString()).toBe('\u0000u0\u0000p0');
    expect(saslOutcome("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>")).toBe('success');
    expect(saslOutcome("<failure xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><not-authorized/>")).toBe(
      'failure',
    );
    expect(saslOutcome('<stream:features>')).toBeUndefined();
  });
});
