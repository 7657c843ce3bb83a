import { findByValueAnswerSchema } from '@casefile/contract';
import { createRedactor } from '@casefile/sdk/redact';
import { deriveRedactionKey } from '@casefile/sdk/redaction-key';
import { describe, expect, it } from 'vitest';
import { createRedactionPass } from '../redaction.js';
import { buildRun, DAY0 } from '../store/conformance.fixtures.js';
import { createTestApp, logins } from '../testing/test-app.js';

const P = 'proj-v';
const INGEST = 'cf_ingest_findbyvalue_0123456789';
const EMAIL = 'Maria.Kowalska84@Gmail.com';
const IBAN = 'DE89 3704 0044 0532 0130 00';
const tokens = { investigator: 'cf_login_inv_0123456789', viewer: 'cf_login_view_0123456789' };

async function setup(knownKey = true) {
  // The collector learns the derived key when the project's ingest key sends data.
  const pass = createRedactionPass(undefined);
  if (knownKey) pass(P, INGEST);
  const { app, store } = await createTestApp({
    project: P,
    credentials: logins(tokens),
    pseudonymKeys: (p) => pass.keysFor(p),
  });
  const redact = createRedactor({ key: deriveRedactionKey(INGEST) });
  const withEmail = buildRun({ projectId: P, startNs: DAY0 + 2000n });
  withEmail[4]!.toolArguments = redact.redactString(JSON.stringify({ to: EMAIL.toLowerCase(), body: 'refund' })).text;
  const withBoth = buildRun({ projectId: P, startNs: DAY0 + 1000n });
  withBoth[1]!.runInput = redact.redactString(`refund ${IBAN.replace(/ /g, '')} for maria.kowalska84@gmail.com`).text;
  const other = buildRun({ projectId: P, startNs: DAY0 });
  other[1]!.runInput = redact.redactString('mail someone.else@gmail.com').text;
  await store.writeSteps([...withEmail, ...withBoth, ...other]);
  const call = (token: string, body: unknown) =>
    app.request('/api/search/by-value', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return { call, store, ids: [withEmail[0]!.traceId, withBoth[0]!.traceId, other[0]!.traceId] };
}

describe('POST /api/search/by-value', () => {
  it('finds every run that carried the value, whatever case or grouping it was typed in', async () => {
    const { call, ids } = await setup();
    const res = await call(tokens.investigator, { project: P, value: `  ${EMAIL.toUpperCase()} ` });
    expect(res.status).toBe(200);
    const answer = findByValueAnswerSchema.parse(await res.json());
    expect(answer.kind).toBe('email');
    expect(answer.tokens).toEqual([expect.stringMatching(/^\[email:[0-9a-f]{8}@gmail\.com\]$/)]);
    expect(answer.runs.map((r) => r.traceId)).toEqual([ids[0], ids[1]]);
    expect(answer.textMatches?.map((m) => m.field)).toEqual(['toolArguments', 'runInput']);
    const iban = findByValueAnswerSchema.parse(
      await (await call(tokens.investigator, { value: IBAN.toLowerCase() })).json(),
    );
    expect(iban.kind).toBe('iban');
    expect(iban.runs.map((r) => r.traceId)).toEqual([ids[1]]);
  });

  it('logs the token looked for, never the value', async () => {
    const { call, store } = await setup();
    await call(tokens.investigator, { value: EMAIL });
    const log = await store.listAccess(P, 10);
    expect(log[0]).toMatchObject({ action: 'find_by_value', actor: 'investigator user' });
    expect(log[0]!.target).toMatch(/^\[email:[0-9a-f]{8}\]$/);
    expect(
      log
        .map((e) => `${e.actor} ${e.action} ${e.target}`)
        .join('\n')
        .toLowerCase(),
    ).not.toContain('kowalska');
  });

  it('needs the investigator role, a recognisable value, and says when no key is known', async () => {
    const { call } = await setup();
    expect((await call(tokens.viewer, { value: EMAIL })).status).toBe(403);
    const vague = await call(tokens.investigator, { value: 'refund for maria' });
    expect(vague.status).toBe(400);
    expect(((await vague.json()) as { message: string }).message).toMatch(/not one datum the redactor recognises/);
    const empty = await call(tokens.investigator, { value: '   ' });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { message: string }).message).toMatch(/value must not be empty/);
    const { call: fresh } = await setup(false);
    const none = findByValueAnswerSchema.parse(await (await fresh(tokens.investigator, { value: EMAIL })).json());
    expect(none.runs).toEqual([]);
    expect(none.note).toMatch(/CASEFILE_REDACTION_KEY/);
  });
});
