/**
 * XMPP pieces of the ejabberd comparison that need no network: the bench accounts, the
 * stanzas the load sends, and reading what it receives. Elements are @xmpp/client's (ltx).
 */
import { xml, type Element } from '@xmpp/client';

/** The XMPP domain the bench ejabberd serves. */
export const XMPP_DOMAIN = 'localhost';

/** Bench accounts are u0/p0, u1/p1, …: seeded into ejabberd's user table before it starts. */
export const USER_PREFIX = 'u';
export const PASSWORD_PREFIX = 'p';

export function account(i: number): { readonly username: string; readonly password: string } {
  return { username: `${USER_PREFIX}${i}`, password: `${PASSWORD_PREFIX}${i}` };
}

/** The bare JID of bench account i. */
export function bareJid(i: number, domain = XMPP_DOMAIN): string {
  return `${account(i).username}@${domain}`;
}

/** A one-to-one chat message (type chat, to a bare JID: every available resource gets it). */
export function chatMessage(to: string, id: string, text: string): Element {
  return xml('message', { to, id, type: 'chat' }, xml('body', {}, text));
}

/** Initial presence: the session becomes available and gets messages sent to its bare JID. */
export function initialPresence(): Element {
  return xml('presence');
}

/** The body of a delivered chat message, or undefined for anything else. */
export function deliveredBody(stanza: Element): string | undefined {
  if (stanza.name !== 'message' || stanza.attrs.type === 'error') return undefined;
  return stanza.getChildText('body') ?? undefined;
}

/** Whether a stanza is an error bounced to its sender (RFC 6120 §8.3). */
export function isStanzaError(stanza: Element): boolean {
  return stanza.attrs.type === 'error';
}

/** Whether a presence is the server's echo of this session's own initial presence. */
export function isOwnPresence(stanza: Element, fullJid: string | undefined): boolean {
  return (
    stanza.name === 'presence' &&
    stanza.attrs.type === undefined &&
    fullJid !== undefined &&
    stanza.attrs.from === fullJid
  );
}

/** The opening of a client stream, as the readiness probe sends it. */
export function streamHeader(domain = XMPP_DOMAIN): string {
  return (
    `<?xml version='1.0'?><stream:stream to='${domain}' version='1.0' xml:lang='en' ` +
    `xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>`
  );
}

/** Whether the server's reply so far offers stream features: it serves clients. */
export function offersFeatures(reply: string): boolean {
  return reply.includes('<stream:features') && reply.includes('</stream:features>');
}

/** SASL PLAIN (RFC 4616) for the readiness probe: authzid empty, then user and password. */
export function plainAuth(username: string, password: string): string {
  const response = Buffer.from(`\u0000${username}\u0000${password}`).toString('base64');
  return `<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>${response}</auth>`;
}

/** The outcome of SASL in the server's reply so far, if it has come. */
export function saslOutcome(reply: string): 'success' | 'failure' | undefined {
  if (/<success[\s/>]/.test(reply)) return 'success';
  if (/<failure[\s/>]/.test(reply)) return 'failure';
  return undefined;
}
