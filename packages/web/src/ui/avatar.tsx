import type { User } from '@parley/client';

/** Initials in a coloured circle, with a presence dot when presence is known. */
export function Avatar({
  user,
  name,
  online,
}: {
  user?: User | undefined;
  name?: string;
  online?: boolean | undefined;
}) {
  const label = name ?? user?.nickname ?? user?.username ?? '?';
  const initials = label.trim().slice(0, 2).toUpperCase() || '?';
  let hue = 0;
  for (const ch of user?.user_id ?? label) hue = (hue * 31 + ch.charCodeAt(0)) % 360;
  return (
    <span class="avatar" data-hue={Math.round(hue / 30)} aria-hidden="true">
      {initials}
      {online !== undefined && <span class={online ? 'dot online' : 'dot offline'} />}
    </span>
  );
}

export function presenceLabel(online: boolean | undefined): string {
  if (online === undefined) return '';
  return online ? 'online' : 'offline';
}
