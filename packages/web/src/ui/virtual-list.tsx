import type { ComponentChildren } from 'preact';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';

/** Height assumed for a row not yet measured. */
const ESTIMATE = 64;
/** Rows are rendered this far (px) beyond the visible part, above and below. */
const OVERSCAN = 800;
/** Within this distance of the bottom, new rows keep the list scrolled to the bottom. */
const STICK = 80;
/** Within this distance of the top, older rows are asked for. */
const NEAR_TOP = 400;

export interface VirtualListProps<T> {
  items: readonly T[];
  keyOf: (item: T) => string;
  render: (item: T, index: number) => ComponentChildren;
  /** Shown above the first row (a loading line, the start of the conversation). */
  header?: ComponentChildren;
  onNearTop?: () => void;
  label: string;
  /** A change of this value scrolls to the bottom (the user sent a message). */
  bottomSignal?: number;
}

interface Anchor {
  key: string;
  /** The anchor row's top minus scrollTop. */
  delta: number;
  atBottom: boolean;
}

/**
 * A list that renders only the rows near the viewport, for conversations of any length.
 * Rows of any height sit in normal flow between two spacers whose heights come from measured
 * (or estimated) row heights. After every render the first visible row is put back where it
 * was on screen, so rows loading above, or rows changing height, never move what is read;
 * at the bottom, new rows keep it at the bottom.
 */
export function VirtualList<T>(props: VirtualListProps<T>) {
  const { items, keyOf } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const heights = useRef(new Map<string, number>());
  const anchor = useRef<Anchor>({ key: '', delta: 0, atBottom: true });
  const [view, setView] = useState({ top: 0, height: 800 });
  const [, remeasure] = useState(0);
  const signal = useRef(props.bottomSignal);
  if (signal.current !== props.bottomSignal) {
    signal.current = props.bottomSignal;
    anchor.current.atBottom = true;
  }

  const offsets = new Float64Array(items.length + 1);
  for (let i = 0; i < items.length; i++) {
    offsets[i + 1] = (offsets[i] ?? 0) + (heights.current.get(keyOf(items[i] as T)) ?? ESTIMATE);
  }
  const total = offsets[items.length] ?? 0;
  // Render around where the layout effect will put the view: the anchor row (rows may just
  // have loaded above it), or the bottom.
  const a = anchor.current;
  let top = view.top;
  if (a.atBottom) top = Math.max(0, total - view.height);
  else if (a.key !== '') {
    const at = items.findIndex((item) => keyOf(item) === a.key);
    if (at >= 0) top = (offsets[at] ?? 0) - a.delta;
  }
  const start = Math.max(0, upperIndex(offsets, top - OVERSCAN) - 1);
  const end = Math.min(items.length, upperIndex(offsets, top + view.height + OVERSCAN));

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    let changed = false;
    for (const row of rows(el)) {
      const key = row.dataset.key ?? '';
      const h = row.offsetHeight;
      if (heights.current.get(key) !== h) {
        heights.current.set(key, h);
        changed = true;
      }
    }
    const a = anchor.current;
    if (a.atBottom) {
      el.scrollTop = el.scrollHeight;
    } else {
      const row = rows(el).find((r) => r.dataset.key === a.key);
      if (row !== undefined) el.scrollTop = row.offsetTop - a.delta;
    }
    record(el, anchor.current);
    if (changed) remeasure((n) => n + 1);
    if (el.scrollTop < NEAR_TOP) props.onNearTop?.();
  });

  useLayoutEffect(() => {
    const el = scroller.current;
    if (el === null) return;
    const observer = new ResizeObserver(() => {
      setView({ top: el.scrollTop, height: el.clientHeight });
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  function onScroll() {
    const el = scroller.current;
    if (el === null) return;
    record(el, anchor.current);
    setView({ top: el.scrollTop, height: el.clientHeight });
    if (el.scrollTop < NEAR_TOP) props.onNearTop?.();
  }

  return (
    <div
      ref={scroller}
      class="scroller"
      onScroll={onScroll}
      // A region, not a live log: rows come and go as it scrolls; new messages are announced
      // by the chat view instead.
      role="region"
      aria-label={props.label}
      tabIndex={0}
    >
      {props.header}
      <div style={{ height: `${offsets[start] ?? 0}px` }} aria-hidden="true" />
      {items.slice(start, end).map((item, i) => (
        <div key={keyOf(item)} data-key={keyOf(item)} class="row">
          {props.render(item, start + i)}
        </div>
      ))}
      <div style={{ height: `${total - (offsets[end] ?? 0)}px` }} aria-hidden="true" />
    </div>
  );
}

function rows(el: HTMLElement): HTMLElement[] {
  return Array.from(el.children).filter(
    (c): c is HTMLElement => c instanceof HTMLElement && c.dataset.key !== undefined,
  );
}

/** Remembers the first row visible now, and whether the list is at its bottom. */
function record(el: HTMLElement, anchor: Anchor): void {
  anchor.atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < STICK;
  const first = rows(el).find((r) => r.offsetTop + r.offsetHeight > el.scrollTop);
  if (first !== undefined) {
    anchor.key = first.dataset.key ?? '';
    anchor.delta = first.offsetTop - el.scrollTop;
  }
}

/** The first index i with offsets[i] > value (offsets ascending). */
function upperIndex(offsets: Float64Array, value: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((offsets[mid] ?? 0) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
