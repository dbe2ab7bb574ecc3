import { MemoryPresence } from '../../src/adapters/presence/presence-memory.js';
import { describePresenceContract } from './presence.contract.js';

describePresenceContract('memory', async () => new MemoryPresence());
