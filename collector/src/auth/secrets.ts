import { createHash, randomBytes } from 'node:crypto';

/** Credentials are stored only as this hash; lookups are by hash, so no secret is ever compared. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function generateSecret(prefix: 'cf_ingest' | 'cf_login'): string {
  return `${prefix}_${randomBytes(24).toString('base64url')}`;
}

/** `Authorization: Bearer <secret>` → the secret, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Bearer[ \t]+([\x21-\x7e]{1,512})[ \t]*$/i.exec(header);
  return m?.[1];
}
