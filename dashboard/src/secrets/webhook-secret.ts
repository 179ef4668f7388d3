import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic-json.js';

export const WEBHOOK_SECRET_FILE = 'webhook-secret';

/**
 * The HMAC key of webhook signatures: BOXROOM_WEBHOOK_SECRET, or generated on first use and kept in
 * `<dataDir>/webhook-secret` (0600), where the receiver's operator copies it from.
 */
export async function loadWebhookSecret(dataDir: string, configured: string | null): Promise<string> {
  if (configured) return configured;
  const file = join(dataDir, WEBHOOK_SECRET_FILE);
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 16) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  await writeFileAtomic(file, `${secret}\n`, 0o600);
  return secret;
}
