import { MemoryMembership } from '../../src/adapters/registry/membership-memory.js';
import { describeMembershipContract } from './membership.contract.js';

// One process, one node: each instance lists only itself.
describeMembershipContract(
  'memory',
  async () => ({ make: async () => new MemoryMembership(), dispose: async () => {} }),
  { cluster: false },
);
