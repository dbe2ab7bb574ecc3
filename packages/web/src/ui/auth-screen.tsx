import { ParleyHttpClient, type AuthResult } from '@parley/client';
import { useState } from 'preact/hooks';
import { describeError, deviceId } from '../api/session.js';
import { ErrorLine } from './error-line.js';

type Mode = 'login' | 'register' | 'guest';

const TITLES: Record<Mode, string> = {
  login: 'Sign in',
  register: 'Create account',
  guest: 'Continue as guest',
};

/** Register, log in or continue as a guest; errors show in place. */
export function AuthScreen(props: {
  baseUrl: string;
  notice?: string | undefined;
  onSignedIn: (result: AuthResult) => void;
}) {
  const [mode, setMode] = useState<Mode>('login');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [nickname, setNickname] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    const http = new ParleyHttpClient({ baseUrl: props.baseUrl });
    const device_id = deviceId();
    try {
      const nick = nickname.trim() === '' ? {} : { nickname: nickname.trim() };
      const result =
        mode === 'login'
          ? await http.login({ username, password, device_id })
          : mode === 'register'
            ? await http.register({ username, password, device_id, ...nick })
            : await http.guest({ device_id, ...nick });
      props.onSignedIn(result);
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  }

  return (
    <main class="center-screen">
      <form class="card auth" onSubmit={submit} aria-labelledby="auth-title">
        <h1 class="brand">Parley</h1>
        <div class="tabs" role="tablist" aria-label="How to sign in">
          {(Object.keys(TITLES) as Mode[]).map((m) => (
            <button
              key={m}
              type="button"
              role="tab"
              aria-selected={mode === m}
              class={mode === m ? 'tab active' : 'tab'}
              onClick={() => {
                setMode(m);
                setError(undefined);
              }}
            >
              {TITLES[m]}
            </button>
          ))}
        </div>
        <h2 id="auth-title" class="sr-only">
          {TITLES[mode]}
        </h2>
        {props.notice !== undefined && (
          <p class="notice" role="status">
            {props.notice}
          </p>
        )}
        {mode !== 'guest' && (
          <>
            <label>
              Username
              <input
                name="username"
                autoComplete="username"
                required
                value={username}
                onInput={(e) => setUsername(e.currentTarget.value)}
              />
            </label>
            <label>
              Password
              <input
                name="password"
                type="password"
                autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
                required
                value={password}
                onInput={(e) => setPassword(e.currentTarget.value)}
              />
            </label>
          </>
        )}
        {mode !== 'login' && (
          <label>
            Display name <span class="muted">(optional)</span>
            <input
              name="nickname"
              autoComplete="nickname"
              value={nickname}
              onInput={(e) => setNickname(e.currentTarget.value)}
            />
          </label>
        )}
        <ErrorLine text={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Please wait…' : TITLES[mode]}
        </button>
      </form>
    </main>
  );
}
