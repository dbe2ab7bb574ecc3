/** Signing up and connecting benchmark users. */
import WebSocket from 'ws';

export interface BenchUser {
  readonly ws: WebSocket;
  readonly userId: string;
  readonly token: string;
}

let signUps = 0;

/** Registers a fresh user; names are unique within a run, so scenarios can repeat. */
export async function signUp(
  url: string,
  username: string,
): Promise<{ token: string; userId: string }> {
  const res = await fetch(`${url}/v1/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      username: `${username}_${process.pid}_${signUps++}`,
      password: 'benchmark password',
    }),
  });
  if (!res.ok) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const auth = (await res.json()) as { access_token: string; user: { user_id: string } };
  return { token: auth.access_token, userId: auth.user.user_id };
}

export async function connectUser(url: string, username: string): Promise<BenchUser> {
  const { token, userId } = await signUp(url, username);
  const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/ws`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await new Promise((resolve, reject) => {
    ws.once('message', resolve);
    ws.once('error', reject);
  });
  return { ws, userId, token };
}
