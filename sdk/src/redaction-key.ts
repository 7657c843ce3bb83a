import { createHash } from 'node:crypto';

/**
 * The default pseudonym key: derived from the project's ingest key, so one customer's address
 * becomes the same token in every run of the project, in the SDK and in the collector's second
 * pass alike. A one-way derivation: the key never reveals the ingest key. Rotating the ingest key
 * changes the tokens; set `redaction.key` (or CASEFILE_REDACTION_KEY) to keep them across rotations.
 */
export function deriveRedactionKey(apiKey: string): string {
  return createHash('sha256').update(`casefile-redaction-key:${apiKey}`, 'utf8').digest('hex');
}
