import { describe, expect, it } from 'vitest';
import type { DeviceJournalBatch } from '../../ports/device-store.js';
import { DeviceJournal } from './device-journal.js';

/** An in-memory repository that can be told to fail. */
class MemoryJournalRepo {
  readonly batches: DeviceJournalBatch[] = [];
  failing = false;
  async journal(batch: DeviceJournalBatch): Promise<void> {
    if (this.failing) throw new Error('the store does not answer');
    this.batches.push(batch);
  }
}

const log = (n: number) => ({
  id: `l${String(n).padStart(5, '0')}`,
  sessionId: 's1',
  messageType: 'listen',
  content: '{}',
  direction: 'inbound' as const,
  createdAt: n,
});
const session = {
  sessionId: 's1',
  deviceId: 'd',
  clientId: 'c',
  userId: 'u',
  connectedAt: 1,
  lastActiveAt: 1,
  status: 'active' as const,
  metadata: '{}',
};

describe('DeviceJournal', () => {
  it('writes everything gathered in one batch, one touch per session', async () => {
    const repo = new MemoryJournalRepo();
    const journal = new DeviceJournal(repo, { maxPendingRows: 100 });
    journal.opened(session);
    for (let i = 0; i < 10; i++) journal.log(log(i));
    for (let at = 1; at <= 50; at++) journal.touch('s1', at);
    journal.status('s1', 'disconnected', 60);
    await journal.flush();
    expect(repo.batches).toHaveLength(1);
    expect(repo.batches[0]).toMatchObject({
      opened: [session],
      touched: [{ sessionId: 's1', at: 50 }],
      statuses: [{ sessionId: 's1', status: 'disconnected', at: 60 }],
    });
    expect(repo.batches[0]?.logs).toHaveLength(10);
    await journal.flush();
    expect(repo.batches).toHaveLength(1);
  });

  it('tells of each record (so a write is scheduled), and is empty once written', async () => {
    const repo = new MemoryJournalRepo();
    let pending = 0;
    const journal = new DeviceJournal(repo, { maxPendingRows: 100, onPending: () => pending++ });
    expect(journal.empty).toBe(true);
    journal.opened(session);
    journal.log(log(1));
    journal.event({ id: 'e1', sessionId: 's1', eventType: 'hello', eventData: '{}', createdAt: 2 });
    journal.touch('s1', 3);
    journal.status('s1', 'inactive', 4);
    expect(pending).toBe(5);
    expect(journal.empty).toBe(false);
    await journal.flush();
    expect(journal.empty).toBe(true);
    repo.failing = true;
    journal.touch('s1', 5);
    await journal.flush();
    expect(journal.empty).toBe(false);
  });

  it('keeps at most maxPendingRows rows, counting the dropped, and keeps a failed batch', async () => {
    const repo = new MemoryJournalRepo();
    let dropped = 0;
    const journal = new DeviceJournal(repo, {
      maxPendingRows: 5,
      onDropped: (n) => (dropped += n),
    });
    journal.opened(session);
    for (let i = 0; i < 8; i++) journal.log(log(i));
    expect(journal.pendingRows).toBe(5);
    expect(dropped).toBe(3);
    repo.failing = true;
    await journal.flush();
    expect(journal.pendingRows).toBe(5);
    repo.failing = false;
    await journal.flush();
    expect(repo.batches[0]?.opened).toEqual([session]);
    expect(repo.batches[0]?.logs.map((l) => l.id)).toEqual([
      'l00000',
      'l00001',
      'l00002',
      'l00003',
      'l00004',
    ]);
  });
});
