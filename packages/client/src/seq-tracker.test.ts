import { describe, expect, it } from 'vitest';
import { SeqTracker } from './seq-tracker.js';

function conversation(id: string, maxSeq: number, maxChangeSeq = 0) {
  return { conversation_id: id, max_seq: maxSeq, max_change_seq: maxChangeSeq };
}

describe('SeqTracker messages', () => {
  it('starts tracking a conversation at the first message seen', () => {
    const tracker = new SeqTracker();
    expect(tracker.lastSeq('c')).toBeUndefined();
    expect(tracker.observeMessage('c', 57)).toBe(true);
    expect(tracker.lastSeq('c')).toBe(57);
    expect(tracker.isTracked('c')).toBe(true);
  });

  it('reports a seq seen before as a duplicate', () => {
    const tracker = new SeqTracker();
    tracker.observeMessage('c', 5);
    expect(tracker.observeMessage('c', 6)).toBe(true);
    expect(tracker.observeMessage('c', 6)).toBe(false);
    expect(tracker.observeMessage('c', 5)).toBe(false);
    expect(tracker.observeMessage('c', 2)).toBe(false);
  });

  it('tracks the highest contiguous seq across out-of-order arrivals', () => {
    const tracker = new SeqTracker();
    tracker.observeMessage('c', 4);
    expect(tracker.observeMessage('c', 6)).toBe(true);
    expect(tracker.observeMessage('c', 7)).toBe(true);
    expect(tracker.lastSeq('c')).toBe(4);
    expect(tracker.observeMessage('c', 7)).toBe(false);
    expect(tracker.observeMessage('c', 5)).toBe(true);
    expect(tracker.lastSeq('c')).toBe(7);
  });

  it('keeps conversations apart', () => {
    const tracker = new SeqTracker();
    tracker.observeMessage('a', 3);
    expect(tracker.observeMessage('b', 3)).toBe(true);
    expect(tracker.lastSeq('a')).toBe(3);
    expect(tracker.lastSeq('b')).toBe(3);
  });

  it('starts an untracked conversation at after_seq for a history page read with it', () => {
    const tracker = new SeqTracker();
    tracker.observeHistory('c', [11, 12, 13], 10);
    expect(tracker.lastSeq('c')).toBe(13);
    expect(tracker.observeMessage('c', 11)).toBe(false);
  });

  it('starts an untracked conversation at the page for other history pages', () => {
    const tracker = new SeqTracker();
    tracker.observeHistory('c', [40, 41, 42]);
    expect(tracker.lastSeq('c')).toBe(42);
    // Scrolling back changes nothing: older messages are below the mark.
    tracker.observeHistory('c', [20, 21]);
    expect(tracker.lastSeq('c')).toBe(42);
  });

  it('extends a tracked conversation with history pages, and ignores empty ones', () => {
    const tracker = new SeqTracker();
    tracker.observeMessage('c', 3);
    tracker.observeHistory('c', [4, 5]);
    expect(tracker.lastSeq('c')).toBe(5);
    tracker.observeHistory('d', [], 10);
    expect(tracker.isTracked('d')).toBe(false);
  });
});

describe('SeqTracker changes', () => {
  it('counts the change log from 0 for a conversation first seen through a message', () => {
    const tracker = new SeqTracker();
    tracker.observeMessage('c', 8);
    expect(tracker.lastChangeSeq('c')).toBe(0);
    expect(tracker.observeChange('c', 2)).toBe(true);
    expect(tracker.lastChangeSeq('c')).toBe(0);
    expect(tracker.observeChange('c', 1)).toBe(true);
    expect(tracker.lastChangeSeq('c')).toBe(2);
    expect(tracker.observeChange('c', 2)).toBe(false);
  });

  it('starts at the first change for a conversation first seen through a change', () => {
    const tracker = new SeqTracker();
    expect(tracker.observeChange('c', 30)).toBe(true);
    expect(tracker.lastChangeSeq('c')).toBe(30);
    expect(tracker.lastSeq('c')).toBeUndefined();
    expect(tracker.observeChange('c', 30)).toBe(false);
    expect(tracker.observeMessage('c', 90)).toBe(true);
    expect(tracker.lastSeq('c')).toBe(90);
  });
});

describe('SeqTracker.plan', () => {
  it('pages only conversations it knows that are behind', () => {
    const tracker = new SeqTracker();
    tracker.observeMessage('behind', 5);
    tracker.observeMessage('current', 9);
    const plan = tracker.plan([
      conversation('behind', 12),
      conversation('current', 9),
      conversation('unknown', 40, 3),
    ]);
    expect(plan).toEqual([{ conversation_id: 'behind', afterSeq: 5 }]);
  });

  it('pages changes from the tracked change_seq', () => {
    const tracker = new SeqTracker();
    tracker.observeMessage('a', 5);
    tracker.observeChange('b', 4);
    const plan = tracker.plan([conversation('a', 5, 2), conversation('b', 0, 6)]);
    expect(plan).toEqual([
      { conversation_id: 'a', afterChangeSeq: 0 },
      { conversation_id: 'b', afterChangeSeq: 4 },
    ]);
  });

  it('pages both when both are behind, from the contiguous mark', () => {
    const tracker = new SeqTracker();
    tracker.observeMessage('a', 5);
    tracker.observeMessage('a', 8);
    tracker.observeChange('a', 1);
    expect(tracker.plan([conversation('a', 9, 4)])).toEqual([
      { conversation_id: 'a', afterSeq: 5, afterChangeSeq: 1 },
    ]);
  });

  it('pages a gap until the missing message arrives', () => {
    const tracker = new SeqTracker();
    tracker.observeMessage('a', 5);
    tracker.observeMessage('a', 7);
    expect(tracker.plan([conversation('a', 7)])).toEqual([{ conversation_id: 'a', afterSeq: 5 }]);
    tracker.observeMessage('a', 6);
    expect(tracker.plan([conversation('a', 7)])).toEqual([]);
  });

  it('does not page messages of a conversation known only through changes', () => {
    const tracker = new SeqTracker();
    tracker.observeChange('a', 3);
    expect(tracker.plan([conversation('a', 100, 3)])).toEqual([]);
  });
});
