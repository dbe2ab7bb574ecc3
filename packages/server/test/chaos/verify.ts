/** What the chaos run found when it read every conversation back. */
export interface Verdict {
  readonly acked: number;
  readonly found: number;
  readonly lost: number;
  /** client_msg_ids stored more than once in their conversation. */
  readonly duplicated: number;
  /** Acknowledged under one seq, stored under another. */
  readonly seq_mismatch: number;
  /** Missing or repeated seq numbers in 1..max. */
  readonly seq_gaps: number;
  readonly seq_dups: number;
  readonly stored: number;
}

export interface StoredMessage {
  readonly seq: number;
  readonly client_msg_id: string;
}

/**
 * Compares what the senders were told (client_msg_id → seq) with what each conversation holds:
 * every acknowledged message exactly once under its seq, and seqs 1..max without gap or repeat.
 */
export function verify(
  acked: ReadonlyMap<string, ReadonlyMap<string, number>>,
  stored: ReadonlyMap<string, readonly StoredMessage[]>,
): Verdict {
  let found = 0;
  let lost = 0;
  let duplicated = 0;
  let mismatch = 0;
  let gaps = 0;
  let dups = 0;
  let total = 0;
  let ackedCount = 0;
  for (const [conversationId, messages] of stored) {
    total += messages.length;
    const byId = new Map<string, number[]>();
    const seqs = new Set<number>();
    let max = 0;
    for (const m of messages) {
      byId.set(m.client_msg_id, [...(byId.get(m.client_msg_id) ?? []), m.seq]);
      if (seqs.has(m.seq)) dups += 1;
      seqs.add(m.seq);
      max = Math.max(max, m.seq);
    }
    for (let seq = 1; seq <= max; seq += 1) if (!seqs.has(seq)) gaps += 1;
    for (const seqsOfId of byId.values())
      if (seqsOfId.length > 1) duplicated += seqsOfId.length - 1;
    for (const [clientMsgId, seq] of acked.get(conversationId) ?? new Map()) {
      ackedCount += 1;
      const at = byId.get(clientMsgId);
      if (at === undefined) lost += 1;
      else {
        found += 1;
        if (!at.includes(seq)) mismatch += 1;
      }
    }
  }
  return {
    acked: ackedCount,
    found,
    lost,
    duplicated,
    seq_mismatch: mismatch,
    seq_gaps: gaps,
    seq_dups: dups,
    stored: total,
  };
}
