import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { importsOf } from './testing/dependency-check.js';

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));
const SRC = `${PACKAGE}src/`;

/** The files `tsc -b` compiles into dist, relative to src/, as the package's tsconfig selects them. */
function builtSources(): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    `${PACKAGE}tsconfig.json`,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('collector/tsconfig.json did not parse');
  return parsed.fileNames.map((f) => f.slice(SRC.length)).filter((f) => !f.endsWith('.d.ts'));
}

/** What a user of the package can load: every `exports` entry's source and the `casefile` binary. */
function entryPoints(): string[] {
  const pkg = JSON.parse(readFileSync(`${PACKAGE}package.json`, 'utf8')) as {
    exports: Record<string, { source: string }>;
    bin: Record<string, string>;
  };
  const fromDist = (path: string) => path.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts');
  return [
    ...Object.values(pkg.exports).map((e) => e.source.replace(/^\.\/src\//, '')),
    ...Object.values(pkg.bin).map(fromDist),
  ];
}

describe('the collector build', () => {
  it('ships only what its entry points reach: tests, suites and fixtures stay out of dist', () => {
    const built = builtSources();
    expect(built).toContain('cli.ts');
    expect(built.some((f) => /\.(test|suite|fixtures)\.ts$/.test(f) || f.startsWith('testing/'))).toBe(false);

    const reached = new Set<string>();
    const queue = entryPoints();
    while (queue.length > 0) {
      const file = queue.pop() as string;
      if (reached.has(file)) continue;
      reached.add(file);
      // Dynamic import() counts: that is how the store factory loads an adapter.
      queue.push(...importsOf(file, readFileSync(`${SRC}${file}`, 'utf8')));
    }
    expect(reached).toContain('store/duckdb/duckdb-trace-store.ts');
    // A file nothing shipped reaches is test support (name it *.fixtures.ts or move it to testing/) or dead code.
    expect(built.filter((f) => !reached.has(f))).toEqual([]);
  });
});
