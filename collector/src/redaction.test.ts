import { createRedactor } from '@casefile/sdk/redact';
import { deriveRedactionKey } from '@casefile/sdk/redaction-key';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config/config.js';
import { createRedactionPass } from './redaction.js';

const INGEST = 'cf_ingest_0123456789abcdef';

describe('createRedactionPass', () => {
  it('keeps context by default and gives the SDK’s tokens for the same ingest key', () => {
    const pass = createRedactionPass(undefined)('p1', INGEST);
    const out = pass({ note: 'mail bob@example.com' }).attributes.note;
    expect(out).toBe(createRedactor({ key: deriveRedactionKey(INGEST) }).redactString('mail bob@example.com').text);
    expect(out).toMatch(/^mail \[email:[0-9a-f]{8}@example\.com\]$/);
  });

  it('keeps nothing for a strict project, also in tokens an SDK made with context', () => {
    const passes = createRedactionPass(undefined, { tokens: 'context', strictProjects: new Set(['p2']) });
    const fromSdk = createRedactor({ key: deriveRedactionKey(INGEST) }).redactString('card 4111111111111111').text;
    expect(fromSdk).toMatch(/·1111 visa\]$/);
    const strict = passes('p2', INGEST)({ a: fromSdk, b: 'bob@example.com' }).attributes;
    expect(strict.a).toMatch(/^card \[card:[0-9a-f]{8}\]$/);
    expect(strict.b).toMatch(/^\[email:[0-9a-f]{8}\]$/);
    expect(passes('p1', INGEST)({ b: 'bob@example.com' }).attributes.b).toMatch(/@example\.com\]$/);
  });
});

describe('token policy configuration', () => {
  it('reads CASEFILE_REDACTION_TOKENS and CASEFILE_REDACTION_STRICT_PROJECTS, naming a bad value', () => {
    const c = loadConfig({ CASEFILE_REDACTION_TOKENS: 'strict', CASEFILE_REDACTION_STRICT_PROJECTS: 'a, b-2' });
    expect(c.redactionTokens).toBe('strict');
    expect([...c.redactionStrictProjects]).toEqual(['a', 'b-2']);
    expect(loadConfig({}).redactionTokens).toBe('context');
    expect(() => loadConfig({ CASEFILE_REDACTION_TOKENS: 'none' })).toThrow(
      /CASEFILE_REDACTION_TOKENS.*context or strict/,
    );
  });
});

describe('RedactionPass.keysFor', () => {
  it('knows the configured key (scoped and as given) and the keys derived from ingest keys seen', () => {
    expect(createRedactionPass('a-fixed-key-0123456789').keysFor('p1')).toEqual([
      'p1:a-fixed-key-0123456789',
      'a-fixed-key-0123456789',
    ]);
    const pass = createRedactionPass(undefined);
    expect(pass.keysFor('p1')).toEqual([]);
    pass('p1', INGEST);
    pass('p1', 'cf_ingest_rotated_0123456789');
    pass('p2', INGEST);
    expect(pass.keysFor('p1')).toEqual([
      deriveRedactionKey('cf_ingest_rotated_0123456789'),
      deriveRedactionKey(INGEST),
    ]);
  });
});
