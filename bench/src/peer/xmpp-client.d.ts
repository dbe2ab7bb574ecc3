/** The part of @xmpp/client (0.14, which ships no types) that the ejabberd comparison uses. */
declare module '@xmpp/client' {
  import type { EventEmitter } from 'node:events';
  import type { Socket } from 'node:net';

  export interface Element {
    name: string;
    attrs: Record<string, string | undefined>;
    children: (Element | string)[];
    getChild(name: string, xmlns?: string): Element | undefined;
    getChildText(name: string, xmlns?: string): string | null;
    is(name: string, xmlns?: string): boolean;
    text(): string;
    toString(): string;
  }

  export function xml(
    name: string,
    attrs?: Record<string, string | number | undefined> | null,
    ...children: (Element | string | undefined)[]
  ): Element;

  export interface Credentials {
    readonly username: string;
    readonly password: string;
  }

  export interface ClientOptions {
    /** xmpp://host:port for TCP. */
    readonly service: string;
    readonly domain: string;
    readonly resource?: string;
    /** ms for each step of connecting and closing (default 2000). */
    readonly timeout?: number;
    readonly credentials?: (
      authenticate: (credentials: Credentials, mechanism: string) => Promise<void>,
      mechanisms: string[],
    ) => Promise<void>;
  }

  export interface StreamManagement extends EventEmitter {
    enabled: boolean;
  }

  export interface Client extends EventEmitter {
    status: string;
    socket: Socket | null;
    jid: { toString(): string } | null;
    reconnect: { stop(): void };
    streamManagement: StreamManagement;
    start(): Promise<unknown>;
    stop(): Promise<unknown>;
    send(element: Element): Promise<void>;
  }

  export function client(options: ClientOptions): Client;
}
