import { createHash } from 'node:crypto';
import { canonicalJson } from './json.js';

export { canonicalJson } from './json.js';

/**
 * The hash that binds an approval to one action: SHA-256 (lower-case hex) of the canonical JSON of
 * `{tool, arguments}`. The SDK writes it on the tool step (`casefile.action.hash`) and on the
 * approval step (`casefile.approval.action_hash`); the collector compares the two. Arguments are
 * hashed as the agent passed them (secret references stay references), before redaction.
 */
export function actionHash(tool: string, args: unknown): string {
  return createHash('sha256')
    .update(canonicalJson({ tool, arguments: args ?? null }), 'utf8')
    .digest('hex');
}
