/** A red envelope, drawn rather than an emoji: not every system has an emoji font. */
export function RedPacketIcon(props: { class: string }) {
  return (
    <svg class={props.class} viewBox="0 0 20 24" aria-hidden="true" focusable="false">
      <rect
        x="1"
        y="1"
        width="18"
        height="22"
        rx="3"
        fill="#e0392f"
        stroke="#fff"
        stroke-width="1.2"
      />
      <path d="M1 7 Q10 13 19 7" fill="none" stroke="#f6c453" stroke-width="1.6" />
      <circle cx="10" cy="10" r="2.6" fill="#f6c453" />
    </svg>
  );
}
