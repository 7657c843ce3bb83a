/**
 * Guards for the two rules that keep attacker-controlled trace content inert: the collector's CSP
 * (no inline script or style in the page) and rendering trace data only as React text.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const UI = join(import.meta.dirname, '..');

function inlineViolations(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (!/\bsrc=/.test(m[1] ?? '') || (m[2] ?? '').trim() !== '') out.push(`inline script: ${m[0].slice(0, 60)}`);
  }
  if (/<style\b/i.test(html)) out.push('<style> element');
  if (/\sstyle\s*=/i.test(html)) out.push('style="" attribute');
  if (/\son[a-z]+\s*=/i.test(html)) out.push('inline event handler');
  if (/(href|src)\s*=\s*["']?\s*javascript:/i.test(html)) out.push('javascript: URL');
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('content security', () => {
  it('flags inline script, style and handlers', () => {
    expect(inlineViolations('<script>alert(1)</script><div style="x" onclick="y"></div>')).toHaveLength(3);
    expect(inlineViolations('<script type="module" src="/assets/a.js"></script>')).toEqual([]);
  });

  it('the page shell runs under the collector CSP (no inline script or style)', () => {
    expect(inlineViolations(readFileSync(join(UI, 'index.html'), 'utf8'))).toEqual([]);
    const built = join(UI, 'dist', 'index.html');
    if (existsSync(built)) expect(inlineViolations(readFileSync(built, 'utf8'))).toEqual([]);
  });

  it('no component renders HTML from data or evaluates strings', () => {
    const offenders = sourceFiles(join(UI, 'src')).filter((file) =>
      /dangerouslySetInnerHTML|\.innerHTML\s*=|outerHTML|insertAdjacentHTML|document\.write|new Function\(|\beval\(/.test(
        readFileSync(file, 'utf8'),
      ),
    );
    expect(offenders).toEqual([]);
  });

  it('every anchor goes through the app Link (hrefs are only app paths built by lib/routes)', () => {
    const offenders = sourceFiles(join(UI, 'src')).filter(
      (file) => !file.endsWith('Link.tsx') && /<a\s[^>]*href=/.test(readFileSync(file, 'utf8')),
    );
    expect(offenders).toEqual([]);
  });
});
