import { FILE_DESCRIPTOR_SET_BASE64 } from '@parley/proto';
import { describe, expect, it } from 'vitest';
import { fileDescriptors } from './grpc-server.js';

describe('the embedded descriptor set', () => {
  it('splits into one FileDescriptorProto per proto file, ours and their imports', () => {
    const files = fileDescriptors(Buffer.from(FILE_DESCRIPTOR_SET_BASE64, 'base64'));
    // Field 1 of a FileDescriptorProto is its name: the name leads each entry.
    const names = files.map((f) => f.subarray(2, 2 + (f[1] as number)).toString());
    expect(names).toEqual(
      expect.arrayContaining([
        'im/api/message.proto',
        'im/api/group.proto',
        'im/ext/ext_service.proto',
        'google/rpc/error_details.proto',
        'google/protobuf/empty.proto',
        'grpc/health/v1/health.proto',
      ]),
    );
  });

  it('refuses a set that is not one', () => {
    expect(() => fileDescriptors(Buffer.from([0x12, 0x01, 0x00]))).toThrow(/unexpected field/);
  });
});
