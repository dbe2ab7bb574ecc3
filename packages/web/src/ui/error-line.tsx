/** A message for screen readers and eyes alike; nothing when there is none. */
export function ErrorLine(props: { readonly text: string | undefined }) {
  if (props.text === undefined) return null;
  return (
    <p class="error" role="alert">
      {props.text}
    </p>
  );
}
