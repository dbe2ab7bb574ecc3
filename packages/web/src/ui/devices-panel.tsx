import type { Session } from '@parley/client';
import { useAction, useAsync } from './use-async.js';
import { shortTime } from './format.js';
import { useStore } from './use-store.js';
import { ErrorLine } from './error-line.js';

function deviceName(s: Session): string {
  const ua = s.user_agent;
  const browser = /Firefox/.test(ua)
    ? 'Firefox'
    : /Edg\//.test(ua)
      ? 'Edge'
      : /Chrom/.test(ua)
        ? 'Chrome'
        : /Safari/.test(ua)
          ? 'Safari'
          : ua === ''
            ? 'App'
            : 'Client';
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Mac OS/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return os === '' ? browser : `${browser} on ${os}`;
}

/** The user's signed-in devices, with remote sign-out. */
export function DevicesPanel() {
  const store = useStore();
  const data = useAsync(
    async () =>
      (await store.session.call<{ sessions: Session[] }>('GET', '/v1/auth/sessions')).sessions,
    [],
  );
  const action = useAction();
  return (
    <div class="pad stack">
      <h3>Signed-in devices</h3>
      <ErrorLine text={data.error} />
      <ErrorLine text={action.error} />
      <ul class="people">
        {data.data?.map((s) => (
          <li key={s.session_id}>
            <span class="grow">
              {deviceName(s)}
              {s.current && <span class="muted"> (this device)</span>}
              <br />
              <span class="muted small">
                {s.ip} · active {shortTime(s.last_used_at)}
              </span>
            </span>
            {!s.current && (
              <button
                type="button"
                class="danger"
                onClick={() =>
                  void action.act(
                    () =>
                      store.session.call(
                        'DELETE',
                        `/v1/auth/sessions/${encodeURIComponent(s.session_id)}`,
                      ),
                    data.reload,
                  )
                }
                aria-label={`Log out ${deviceName(s)}, last active ${shortTime(s.last_used_at)}`}
              >
                Log out
              </button>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
