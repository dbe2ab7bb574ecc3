import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ShownMessage } from '../state/thread.js';
import { RedPacketIcon } from './icons.js';
import { useStore } from './use-store.js';

/**
 * Writes messages. Enter sends, Shift+Enter is a new line, Escape cancels an edit.
 * `/ai <question>` asks the AI bot; the red-envelope button sends a red packet.
 */
export function Composer(props: {
  id: string;
  editing: ShownMessage | undefined;
  onEdited: () => void;
  /** A new message went out: the list shows the bottom. */
  onSent: () => void;
}) {
  const store = useStore();
  const [text, setText] = useState('');
  const [packet, setPacket] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const { editing } = props;

  // The message's text is in the box before anything can be typed into it: an effect would
  // run after the next paint, and overwrite what was typed in between.
  useLayoutEffect(() => {
    if (editing !== undefined) {
      setText(String((editing.content as { text?: unknown }).text ?? ''));
      input.current?.focus();
    }
  }, [editing]);

  function submit() {
    const value = text.trim();
    if (value === '') return;
    if (editing !== undefined) {
      void store.edit(editing, value);
      props.onEdited();
    } else if (value.startsWith('/ai ')) {
      store.send(props.id, 'ai', { text: value.slice(4).trim() });
    } else {
      store.send(props.id, 'text', { text: value });
    }
    if (editing === undefined) props.onSent();
    setText('');
  }

  return (
    <div class="composer-wrap">
      {packet && (
        <RedPacketForm
          id={props.id}
          onDone={() => {
            setPacket(false);
            props.onSent();
          }}
        />
      )}
      {editing !== undefined && (
        <div class="editing-note" role="status">
          Editing a message ·{' '}
          <button
            type="button"
            class="link"
            onClick={() => {
              props.onEdited();
              setText('');
            }}
          >
            Cancel
          </button>
        </div>
      )}
      <form
        class="composer"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <button
          type="button"
          class="ghost"
          aria-label="Send a red packet"
          aria-expanded={packet}
          onClick={() => setPacket(!packet)}
        >
          <RedPacketIcon class="icon" />
        </button>
        <textarea
          ref={input}
          rows={1}
          aria-label={editing !== undefined ? 'Edit message' : 'Message'}
          placeholder={editing !== undefined ? 'Edit your message' : 'Message (/ai to ask the bot)'}
          value={text}
          onInput={(e) => {
            setText(e.currentTarget.value);
            if (editing === undefined) store.typed(props.id);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            } else if (e.key === 'Escape' && editing !== undefined) {
              props.onEdited();
              setText('');
            }
          }}
        />
        <button type="submit" class="primary">
          {editing !== undefined ? 'Save' : 'Send'}
        </button>
      </form>
    </div>
  );
}

function RedPacketForm({ id, onDone }: { id: string; onDone: () => void }) {
  const store = useStore();
  const [amount, setAmount] = useState('8.88');
  const [count, setCount] = useState('3');
  const [greeting, setGreeting] = useState('Happy new year');
  return (
    <form
      class="packet-form"
      aria-label="Red packet"
      onSubmit={(e) => {
        e.preventDefault();
        const cents = Math.round(Number(amount) * 100);
        store.send(id, 'redpacket', {
          amount: cents,
          count: Number(count),
          ...(greeting.trim() !== '' && { greeting: greeting.trim() }),
        });
        onDone();
      }}
    >
      <label>
        Amount
        <input
          inputMode="decimal"
          value={amount}
          onInput={(e) => setAmount(e.currentTarget.value)}
        />
      </label>
      <label>
        Packets
        <input inputMode="numeric" value={count} onInput={(e) => setCount(e.currentTarget.value)} />
      </label>
      <label>
        Greeting
        <input
          value={greeting}
          maxLength={100}
          onInput={(e) => setGreeting(e.currentTarget.value)}
        />
      </label>
      <button type="submit" class="primary">
        Send red packet
      </button>
    </form>
  );
}
