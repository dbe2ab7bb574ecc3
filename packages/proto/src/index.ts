/** Parley's gRPC contracts, generated from proto/ by `npm run proto` (buf + ts-proto). */
export {
  ExtHeader,
  ExtMessage,
  MsgScene,
  MsgStatus,
  msgSceneFromJSON,
  msgSceneToJSON,
  msgStatusFromJSON,
  msgStatusToJSON,
} from './gen/im/ext/ext_message.js';
export {
  ExtCallbackServiceClient,
  ExtCallbackServiceService,
  ExtCompleteRequest,
  ExtCompleteResponse,
  ExtHandleAck,
  ExtHandleRequest,
  ExtHandleResponse,
  ExtMessageServiceClient,
  ExtMessageServiceService,
  type ExtCallbackServiceServer,
  type ExtMessageServiceServer,
} from './gen/im/ext/ext_service.js';
export { Any } from './gen/google/protobuf/any.js';
export { RequestHeader, ResponseHeader, User } from './gen/im/api/common.js';
export {
  LoginRequest,
  LoginResponse,
  RegisterRequest,
  RegisterResponse,
  GuestLoginRequest,
  GuestLoginResponse,
  VerifyTokenRequest,
  VerifyTokenResponse,
  RefreshTokenRequest,
  RefreshTokenResponse,
  LogoutRequest,
  AuthServiceService,
  AuthServiceClient,
  type AuthServiceServer,
} from './gen/im/api/auth.js';
export {
  GetConversationsRequest,
  GetConversationsResponse,
  Conversation,
  ConversationTarget,
  CreatePrivateConversationRequest,
  CreatePrivateConversationResponse,
  MarkAsReadRequest,
  GetConversationInfoRequest,
  GetConversationInfoResponse,
  ConversationServiceService,
  ConversationServiceClient,
  type ConversationServiceServer,
} from './gen/im/api/conversation.js';
export {
  GetMessagesRequest,
  GetMessagesResponse,
  Message,
  Pagination,
  SendMessageRequest,
  SendMessageResponse,
  SubscribeRequest,
  ResumePoint,
  Event,
  MessageServiceService,
  MessageServiceClient,
  type MessageServiceServer,
} from './gen/im/api/message.js';
export {
  GetUserRequest,
  GetUserResponse,
  SearchUserRequest,
  SearchUserResponse,
  GetUserOnlineStatusRequest,
  GetUserOnlineStatusResponse,
  UserOnlineStatus,
  UserServiceService,
  UserServiceClient,
  type UserServiceServer,
} from './gen/im/api/user.js';
export {
  CreateGroupRequest,
  CreateGroupResponse,
  Group,
  GetGroupRequest,
  GetGroupResponse,
  GetGroupMembersRequest,
  GetGroupMembersResponse,
  GroupMember,
  JoinGroupRequest,
  LeaveGroupRequest,
  GetOnlineGroupMembersRequest,
  GetOnlineGroupMembersResponse,
  OnlineGroupMember,
  GroupServiceService,
  GroupServiceClient,
  type GroupServiceServer,
} from './gen/im/api/group.js';
export { Status } from './gen/google/rpc/status.js';
export { ErrorInfo, ErrorInfo_MetadataEntry } from './gen/google/rpc/error_details.js';
export { Empty } from './gen/google/protobuf/empty.js';
export { FILE_DESCRIPTOR_SET_BASE64 } from './gen/descriptors.js';
export { LargeGroupFanoutTask, TaskMessage } from './gen/im/task/v1/task.js';
