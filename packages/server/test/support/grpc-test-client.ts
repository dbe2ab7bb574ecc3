import {
  credentials,
  Metadata,
  type CallOptions,
  type Client,
  type ClientReadableStream,
  type ServiceError,
} from '@grpc/grpc-js';
import {
  AuthServiceClient,
  ConversationServiceClient,
  GroupServiceClient,
  MessageServiceClient,
  UserServiceClient,
  CreateGroupRequest,
  CreatePrivateConversationRequest,
  GetConversationInfoRequest,
  GetConversationsRequest,
  GetGroupMembersRequest,
  GetGroupRequest,
  GetMessagesRequest,
  GetOnlineGroupMembersRequest,
  GetUserOnlineStatusRequest,
  GetUserRequest,
  GuestLoginRequest,
  JoinGroupRequest,
  LeaveGroupRequest,
  LoginRequest,
  LogoutRequest,
  MarkAsReadRequest,
  RefreshTokenRequest,
  RegisterRequest,
  SearchUserRequest,
  SendMessageRequest,
  SubscribeRequest,
  VerifyTokenRequest,
  type ErrorInfo,
  type Event,
} from '@parley/proto';
import { errorInfoOf } from '../../src/transports/grpc/grpc-errors.js';

/**
 * Each unary method's request type: ts-proto's encoders expect every field, so requests are
 * built with fromPartial (a missing string would be sent as "undefined").
 */
interface Requests {
  login: LoginRequest;
  register: RegisterRequest;
  guestLogin: GuestLoginRequest;
  verifyToken: VerifyTokenRequest;
  refreshToken: RefreshTokenRequest;
  logout: LogoutRequest;
  getConversations: GetConversationsRequest;
  createPrivateConversation: CreatePrivateConversationRequest;
  markConversationAsRead: MarkAsReadRequest;
  getConversationInfo: GetConversationInfoRequest;
  getMessages: GetMessagesRequest;
  sendMessage: SendMessageRequest;
  getUser: GetUserRequest;
  searchUser: SearchUserRequest;
  getUserOnlineStatus: GetUserOnlineStatusRequest;
  createGroup: CreateGroupRequest;
  getGroup: GetGroupRequest;
  getGroupMembers: GetGroupMembersRequest;
  joinGroup: JoinGroupRequest;
  leaveGroup: LeaveGroupRequest;
  getOnlineGroupMembers: GetOnlineGroupMembersRequest;
}
const REQUESTS: { [M in keyof Requests]: { fromPartial(o: Partial<Requests[M]>): Requests[M] } } = {
  login: LoginRequest,
  register: RegisterRequest,
  guestLogin: GuestLoginRequest,
  verifyToken: VerifyTokenRequest,
  refreshToken: RefreshTokenRequest,
  logout: LogoutRequest,
  getConversations: GetConversationsRequest,
  createPrivateConversation: CreatePrivateConversationRequest,
  markConversationAsRead: MarkAsReadRequest,
  getConversationInfo: GetConversationInfoRequest,
  getMessages: GetMessagesRequest,
  sendMessage: SendMessageRequest,
  getUser: GetUserRequest,
  searchUser: SearchUserRequest,
  getUserOnlineStatus: GetUserOnlineStatusRequest,
  createGroup: CreateGroupRequest,
  getGroup: GetGroupRequest,
  getGroupMembers: GetGroupMembersRequest,
  joinGroup: JoinGroupRequest,
  leaveGroup: LeaveGroupRequest,
  getOnlineGroupMembers: GetOnlineGroupMembersRequest,
};
export type MethodName = keyof typeof REQUESTS;
type RequestOf<M extends MethodName> = Partial<Requests[M]>;
// Responses are read loosely in tests, as REST bodies are.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;
type Callback = (err: ServiceError | null, res: Loose) => void;
type UnaryMethod = (
  req: unknown,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: Callback,
) => unknown;

/** What a unary call gave: the response, or the error with its decoded ErrorInfo; and trailers. */
export interface Answer<Res = Loose> {
  readonly res?: Res;
  readonly err?: ServiceError;
  readonly info?: ErrorInfo;
  readonly trailers?: Metadata;
}

/** Metadata with `authorization: Bearer <token>` (and more entries when given). */
export function bearer(token: string, more: Record<string, string> = {}): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  for (const [key, value] of Object.entries(more)) metadata.set(key, value);
  return metadata;
}

/** One call: resolves with what came back, never rejects. */
export function call<M extends MethodName>(
  client: Client,
  name: M,
  req: RequestOf<M>,
  metadata: Metadata = new Metadata(),
  options: Partial<CallOptions> = {},
): Promise<Answer> {
  const method = (client as unknown as Record<M, UnaryMethod>)[name];
  const request = (REQUESTS[name].fromPartial as (o: unknown) => unknown)(req);
  return new Promise((resolve) => {
    let trailers: Metadata | undefined;
    const emitter = method.call(client, request, metadata, options, (err, res) => {
      // The status (with its trailers) is emitted right after the callback.
      setImmediate(() =>
        resolve(
          err === null
            ? { res, ...(trailers && { trailers }) }
            : { err, ...(errorInfoOf(err) && { info: errorInfoOf(err) }) },
        ),
      );
    }) as { on(event: 'status', listener: (s: { metadata: Metadata }) => void): void };
    emitter.on('status', (s) => (trailers = s.metadata));
  });
}

/** The unary call's response; fails the test with the status when there is none. */
export async function ok<M extends MethodName>(
  client: Client,
  name: M,
  req: RequestOf<M>,
  metadata?: Metadata,
): Promise<Loose> {
  const answer = await call(client, name, req, metadata);
  if (answer.err) {
    throw new Error(`${answer.err.code} ${answer.err.details} ${answer.info?.reason ?? ''}`);
  }
  return answer.res;
}

/** Every public service on one address, over one channel each. */
export function grpcClients(address: string) {
  const insecure = credentials.createInsecure();
  const clients = {
    auth: new AuthServiceClient(address, insecure),
    conversations: new ConversationServiceClient(address, insecure),
    messages: new MessageServiceClient(address, insecure),
    users: new UserServiceClient(address, insecure),
    groups: new GroupServiceClient(address, insecure),
  };
  return {
    ...clients,
    close: () => Object.values(clients).forEach((c) => c.close()),
  };
}

/** A Subscribe stream whose events are collected as they come. */
export class EventStream {
  readonly events: Event[] = [];
  error: ServiceError | undefined;
  ended = false;
  readonly #call: ClientReadableStream<Event>;

  constructor(
    client: MessageServiceClient,
    request: Partial<SubscribeRequest>,
    metadata: Metadata,
    options: Partial<CallOptions> = {},
  ) {
    this.#call = client.subscribe(SubscribeRequest.fromPartial(request), metadata, options);
    this.#call.on('data', (event: Event) => this.events.push(event));
    this.#call.on('error', (err: ServiceError) => (this.error = err));
    this.#call.on('end', () => (this.ended = true));
  }

  named(name: string): Event[] {
    return this.events.filter((e) => e.event === name);
  }

  pause(): void {
    this.#call.pause();
  }

  resume(): void {
    this.#call.resume();
  }

  cancel(): void {
    this.#call.cancel();
  }
}
