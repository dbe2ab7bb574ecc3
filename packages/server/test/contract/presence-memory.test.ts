import { MemoryPresence } from '../../src/adapters/presence/presence-memory.js';
import { describePresenceContract } from './presence.contract.js';

describePresenceContract('memory', {
  newPresence: async (gatewayId) => new MemoryPresence({ gatewayId }),
});
