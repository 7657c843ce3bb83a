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

/** The redaction pass of one project and ingest key, plus the pseudonym keys the collector knows. */
export interface RedactionPass {
  (projectId: string, ingestKey: string): AttributeRedactor;
  /**
   * Every pseudonym key a project's tokens may have been made with, as far as this collector knows:
   * the configured key (scoped to the project, and as given, which an SDK configured with the same key
   * uses), and the keys derived from the ingest keys that sent the project data since start. Ingest
   * keys are stored only as hashes, so a derived key cannot be known before its key is used again.
   */
  keysFor(projectId: string): string[];
}

// Derived keys remembered per project (the newest first, a few per project: keys are rotated rarely).
const KEYS_PER_PROJECT = 16;

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
): RedactionPass {
  const cache = new Map<string, AttributeRedactor>();
  const derived = new Map<string, string[]>();
  const pass = (projectId: string, ingestKey: string): AttributeRedactor => {
    const key = redactionKeyFor(fixedKey, projectId, ingestKey);
    if (!fixedKey) remember(projectId, key);
    const strict = policy.tokens === 'strict' || policy.strictProjects?.has(projectId) === true;
    const cacheKey = `${strict ? 's' : 'c'}:${key}`;
    let redactor = cache.get(cacheKey);
    if (!redactor) {
      redactor = toAttributeRedactor(createRedactor({ key, tokenContext: strict ? 'strict' : 'keep' }));
      if (cache.size > 1000) cache.clear();
      cache.set(cacheKey, redactor);
    }
    return redactor;
  };
  function remember(projectId: string, key: string): void {
    const keys = derived.get(projectId) ?? [];
    if (keys[0] === key) return;
    derived.set(projectId, [key, ...keys.filter((k) => k !== key)].slice(0, KEYS_PER_PROJECT));
    if (derived.size > 10_000) derived.delete(derived.keys().next().value as string);
  }
  return Object.assign(pass, {
    keysFor(projectId: string): string[] {
      const keys = fixedKey ? [`${projectId}:${fixedKey}`, fixedKey] : [];
      return [...keys, ...(derived.get(projectId) ?? [])];
    },
  });
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
