import { ParleyClient, ParleyError, type AuthResult } from '@parley/client';
import { useEffect, useState } from 'preact/hooks';
import { describeError, loadSession, Session, toStored } from '../api/session.js';
import { ChatStore } from '../state/chat-store.js';
import { AuthScreen } from './auth-screen.js';
import { Shell } from './shell.js';
import { StoreContext } from './use-store.js';

type Phase =
  | { kind: 'signed-out'; message?: string }
  | { kind: 'connecting'; store: ChatStore }
  | { kind: 'ready'; store: ChatStore }
  | { kind: 'failed'; store: ChatStore; message: string };

/** Signed out: the sign-in screen. Signed in: the chat, on one ParleyClient. */
export function App({ baseUrl }: { baseUrl: string }) {
  const [phase, setPhase] = useState<Phase>(() => {
    const stored = loadSession();
    return stored === undefined ? { kind: 'signed-out' } : connect(stored);
  });

  function connect(stored: ReturnType<typeof toStored>): Phase {
    let store: ChatStore | undefined = undefined;
    const session = new Session(baseUrl, stored, (message) => {
      store?.client.close();
      setPhase({ kind: 'signed-out', message });
    });
    const client = new ParleyClient({
      url: baseUrl,
      token: () => session.accessToken(),
      reconnect: { maxDelayMs: 4_000 },
    });
    store = new ChatStore(session, client);
    const started = store;
    client.on('close', ({ code }) => {
      if (code === 4001) {
        session.clear();
        setPhase({ kind: 'signed-out', message: 'This device was signed out.' });
      }
    });
    started.start().then(
      () =>
        setPhase((p) =>
          p.kind === 'connecting' && p.store === started ? { kind: 'ready', store: started } : p,
        ),
      async (error: unknown) => {
        // An expired access token after a long absence: refresh once, then try again.
        if (error instanceof ParleyError && error.code !== 'UNAVAILABLE') {
          setPhase({ kind: 'signed-out', message: describeError(error) });
          return;
        }
        setPhase({ kind: 'failed', store: started, message: describeError(error) });
      },
    );
    return { kind: 'connecting', store };
  }

  useEffect(() => {
    const title = phase.kind === 'ready' ? 'Parley' : 'Parley: sign in';
    document.title = title;
  }, [phase.kind]);

  if (phase.kind === 'signed-out') {
    return (
      <AuthScreen
        baseUrl={baseUrl}
        notice={phase.message}
        onSignedIn={(result: AuthResult) => setPhase(connect(toStored(result)))}
      />
    );
  }
  if (phase.kind === 'failed') {
    return (
      <main class="center-screen" aria-live="polite">
        <div class="card">
          <h1>Parley</h1>
          <p class="error" role="alert">
            {phase.message}
          </p>
          <button
            type="button"
            onClick={() => {
              phase.store.client.close();
              const stored = loadSession();
              setPhase(stored === undefined ? { kind: 'signed-out' } : connect(stored));
            }}
          >
            Try again
          </button>
        </div>
      </main>
    );
  }
  return (
    <StoreContext.Provider value={phase.store}>
      {phase.kind === 'connecting' ? (
        <main class="center-screen" aria-busy="true">
          <p>Connecting…</p>
        </main>
      ) : (
        <Shell
          onSignOut={() => {
            const store = phase.store;
            void store.session
              .call('POST', '/v1/auth/logout')
              .catch(() => undefined)
              .finally(() => {
                store.client.close();
                store.session.clear();
                setPhase({ kind: 'signed-out' });
              });
          }}
        />
      )}
    </StoreContext.Provider>
  );
}
