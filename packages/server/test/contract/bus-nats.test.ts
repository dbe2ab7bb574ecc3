import { inject } from 'vitest';
import { NatsBus } from '../../src/adapters/bus/bus-nats.js';
import { connectNats } from '../../src/adapters/bus/nats-connection.js';
import { describeBusContract } from './bus.contract.js';

const natsUrl = inject('natsUrl');

// Every bus is a node of its own (its own connection); a test's network is a subject prefix.
describeBusContract(
  'nats',
  async (network) => {
    const link = await connectNats({ url: natsUrl, name: `parley-test-${network}` });
    return new NatsBus(link, { subjectPrefix: `t${network}`, ownsConnection: true });
  },
  { spansNodes: true },
);
