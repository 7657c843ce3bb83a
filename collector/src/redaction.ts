import { createRedactor, type Redactor } from '@casefile/sdk/redact';
import { deriveRedactionKey } from '@casefile/sdk/redaction-key';
import type { AttributeRedactor } from './normalize/normalize-span.js';

/**
 * The collector's second redaction pass (other SDKs do not redact). Pseudonym tokens are keyed per
 * project: by CASEFILE_REDACTION_KEY when set, else by a key derived from the ingest key that sent
 * the data — the same derivation the Casefile SDK uses by default, so a datum redacted in the agent
 * and one redacted here get the same token.
 */
export function createRedactionPass(
  fixedKey: string | undefined,
): (projectId: string, ingestKey: string) => AttributeRedactor {
  const cache = new Map<string, AttributeRedactor>();
  return (projectId, ingestKey) => {
    const key = fixedKey ? `${projectId}:${fixedKey}` : deriveRedactionKey(ingestKey);
    let pass = cache.get(key);
    if (!pass) {
      pass = toAttributeRedactor(createRedactor({ key }));
      if (cache.size > 1000) cache.clear();
      cache.set(key, pass);
    }
    return pass;
  };
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
