import { MemoryBus } from '../../src/adapters/bus/bus-memory.js';
import { describeBusContract } from './bus.contract.js';

describeBusContract('memory', async () => new MemoryBus(), { spansNodes: false });
