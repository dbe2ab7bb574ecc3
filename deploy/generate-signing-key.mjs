// Writes an Ed25519 private key (PKCS#8 PEM) to $JWT_PRIVATE_KEY_FILE unless one is there: the
// access-token signing key every Parley node of a cluster shares (deploy/docker-compose.yml).
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';

const file = process.env.JWT_PRIVATE_KEY_FILE;
if (!file) {
  process.stderr.write('Set JWT_PRIVATE_KEY_FILE to where the signing key belongs.\n');
  process.exit(2);
}
const { privateKey } = generateKeyPairSync('ed25519');
try {
  // 'wx': an existing key is kept (tokens it signed stay valid across `up`s).
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    flag: 'wx',
    mode: 0o600,
  });
  process.stdout.write(`Generated the access-token signing key in ${file}.\n`);
} catch (err) {
  if (err.code !== 'EEXIST') throw err;
  process.stdout.write(`Keeping the access-token signing key in ${file}.\n`);
}
