/** The Ed25519 key Parley signs access tokens with (and derives its callback-token key from). */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface SigningKeySource {
  /** An Ed25519 private key as PKCS#8 PEM; when absent, `keyFile` is used. */
  readonly privateKeyPem?: string | undefined;
  /** Where the generated key is kept, so that tokens survive a restart. */
  readonly keyFile: string;
}

/** The configured key, or the one in the key file, or a new one saved there. */
export async function loadSigningKey(source: SigningKeySource): Promise<KeyObject> {
  const pem = source.privateKeyPem ?? (await readOrCreateKeyFile(source.keyFile));
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new Error(`The access-token signing key is not a readable PKCS#8 PEM private key`, {
      cause: err,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(
      `The access-token signing key must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'unknown'}`,
    );
  }
  return key;
}

async function readOrCreateKeyFile(keyFile: string): Promise<string> {
  try {
    return await readFile(keyFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  await mkdir(dirname(keyFile), { recursive: true, mode: 0o700 });
  // 'wx' fails if another process created the file first; then that one's key wins.
  try {
    await writeFile(keyFile, pem, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFile(keyFile, 'utf8');
    throw err;
  }
  await chmod(keyFile, 0o600);
  return pem;
}
