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
export { LargeGroupFanoutTask, TaskMessage } from './gen/im/task/v1/task.js';
export {
  AIServiceClient,
  AIServiceService,
  AbortContent,
  AudioContent,
  AudioParams,
  ChatContent,
  ChatRequest,
  ChatResponse,
  CloseContent,
  ErrorContent,
  HelloContent,
  ImageContent,
  ListenContent,
  McpContent,
  MessageType,
  ResponseType,
  StatusContent,
  TextContent,
  type AIServiceServer,
} from './gen/im/ai/v1/ai_service.js';
