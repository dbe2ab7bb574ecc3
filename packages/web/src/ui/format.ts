import type { Message } from '@parley/client';

const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const day = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** A time for a list: the hour today, the day otherwise. */
export function shortTime(ms: number): string {
  const d = new Date(ms);
  return d.toDateString() === new Date().toDateString() ? time.format(d) : day.format(d);
}

export function clockTime(ms: number): string {
  return time.format(new Date(ms));
}

/** A one-line preview of a message. */
export function preview(message: Message | null): string {
  if (message === null) return 'No messages yet';
  if (message.status === 'recalled') return 'Message recalled';
  const c = message.content as Record<string, unknown>;
  switch (message.type) {
    case 'text':
      return String(c.text ?? '');
    case 'redpacket':
      return `Red packet${typeof c.greeting === 'string' ? `: ${c.greeting}` : ''}`;
    case 'ai':
      return `Ask AI: ${String(c.text ?? '')}`;
    case 'image':
      return 'Photo';
    case 'file':
      return `File: ${String(c.name ?? 'file')}`;
    case 'location':
      return `Location: ${String(c.name ?? '')}`;
    default:
      return `[${message.type}]`;
  }
}
