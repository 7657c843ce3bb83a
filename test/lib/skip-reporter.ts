import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';

/**
 * Lists every skipped test at the end of a run with the reason it was skipped, so a missing browser or
 * server shows in the output instead of passing quietly. The reason is the `skipped: …` part of the
 * test's or a suite's title (see `skipTitle` in requirements.ts), else the note given to `ctx.skip(note)`.
 * A skip without either is listed as "no reason given". Tests with one reason in one file are one line.
 */
export default class SkipReporter implements Reporter {
  private filtered = false;

  onInit(vitest: Vitest): void {
    // With -t, every test the pattern leaves out counts as skipped: that list would say nothing.
    this.filtered = Boolean(vitest.config.testNamePattern);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    if (this.filtered) return;
    const lines: string[] = [];
    for (const module of testModules) {
      const byReason = new Map<string, string[]>();
      for (const test of module.children.allTests('skipped')) {
        const { where, reason } = explain(test);
        byReason.set(reason, [...(byReason.get(reason) ?? []), where]);
      }
      for (const [reason, wheres] of byReason) {
        const count = wheres.length === 1 ? '1 test' : `${wheres.length} tests`;
        const what = wheres.every((w) => w === wheres[0]) ? `${wheres[0]} (${count})` : count;
        lines.push(`  ${module.relativeModuleId}: ${what}: ${reason}`);
      }
    }
    if (lines.length === 0) return;
    process.stdout.write(`\nSkipped (with the reason):\n${lines.join('\n')}\n`);
  }
}

const MARKER = /[[(]skipped: /;

/** The part of the name that carries the skip, and its reason (brackets inside it may nest). */
function explain(test: TestCase): { where: string; reason: string } {
  const name = test.fullName;
  const at = MARKER.exec(name);
  if (at) {
    const from = at.index + at[0].length;
    let depth = 0;
    let end = from;
    for (; end < name.length; end++) {
      const ch = name[end];
      if (ch === '(' || ch === '[') depth++;
      else if (ch === ')' || ch === ']') {
        if (depth === 0) break;
        depth--;
      }
    }
    return { where: name.slice(0, at.index).trim(), reason: name.slice(from, end) };
  }
  const result = test.result();
  const note = result.state === 'skipped' ? result.note : undefined;
  if (note) return { where: name, reason: note };
  // Meant to run, yet skipped: a hook before it failed (the failure is reported above).
  if (test.options.mode === 'run') return { where: name, reason: 'not run: a hook of its suite failed' };
  return { where: name, reason: 'no reason given' };
}
