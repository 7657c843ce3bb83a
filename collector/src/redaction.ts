import { createRedactor, type Redactor } from '@casefile/sdk/redact';
import { deriveRedactionKey } from '@casefile/sdk/redaction-key';
import type { AttributeRedactor } from './normalize/normalize-span.js';

/** Which projects get tokens with context (the default) and which get strict ones. */
export interface TokenPolicy {
  /** Default for every project. */
  tokens: 'context' | 'strict';
  /** Projects whose tokens keep nothing, whatever the default. */
  strictProjects?: ReadonlySet<string>;
}

/**
 * The collector's second redaction pass (other SDKs do not redact). Pseudonym tokens are keyed per
 * project: by CASEFILE_REDACTION_KEY when set, else by a key derived from the ingest key that sent
 * the data — the same derivation the Casefile SDK uses by default, so a datum redacted in the agent
 * and one redacted here get the same token. A strict project's pass also removes the context from
 * tokens an SDK made with it.
 */
export function createRedactionPass(
  fixedKey: string | undefined,
  policy: TokenPolicy = { tokens: 'context' },
): (projectId: string, ingestKey: string) => AttributeRedactor {
  const cache = new Map<string, AttributeRedactor>();
  return (projectId, ingestKey) => {
    const key = redactionKeyFor(fixedKey, projectId, ingestKey);
    const strict = policy.tokens === 'strict' || policy.strictProjects?.has(projectId) === true;
    const cacheKey = `${strict ? 's' : 'c'}:${key}`;
    let pass = cache.get(cacheKey);
    if (!pass) {
      pass = toAttributeRedactor(createRedactor({ key, tokenContext: strict ? 'strict' : 'keep' }));
      if (cache.size > 1000) cache.clear();
      cache.set(cacheKey, pass);
    }
    return pass;
  };
}

/** The pseudonym key of a project: the fixed key (scoped to the project) or one derived from the ingest key. */
export function redactionKeyFor(fixedKey: string | undefined, projectId: string, ingestKey: string): string {
  return fixedKey ? `${projectId}:${fixedKey}` : deriveRedactionKey(ingestKey);
}

function toAttributeRedactor(redactor: Redactor): AttributeRedactor {
  return (attrs) => {
    const r = redactor.redactAttributes(attrs);
    const out = Object.create(null) as Record<string, string>;
    for (const key in r.attributes) {
      const v = r.attributes[key];
      out[key] = typeof v === 'string' ? v : JSON.stringify(v);
    }
    return { attributes: out, count: r.count, rules: r.rules };
  };
}
