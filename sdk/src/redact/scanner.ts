import { ASSIGNMENT_GATE, findAssignments } from './assignments.js';
import { findEncoded } from './decode.js';
import { findPhones } from './phones.js';
import { findProseSecrets } from './prose.js';
import { GENERIC_DETECTORS } from './rules-generic.js';
import { findEmails, findIpv6, PII_DETECTORS } from './rules-pii.js';
import { PREFIXED_PROVIDER_DETECTORS } from './rules-providers.js';
import { PROVIDER_DETECTORS } from './rules-secrets.js';
import { findCurlCredentials, findKubernetesSecretData } from './structured-secrets.js';
import type { CustomPattern, Detector, RedactionFinding } from './types.js';

export interface RawFinding extends RedactionFinding {
  priority: number;
  /** What the pseudonym hashes when it is not the matched text (a decoded datum). */
  hashValue?: string | undefined;
}

interface CompiledRule {
  rule: string;
  kind: string;
  priority: number;
  keywords?: readonly string[] | undefined;
  run(text: string, out: RawFinding[]): void;
}

export class RedactionTimeoutError extends Error {}

const MAX_DECODE_DEPTH = 2;

function compileDetector(d: Detector): CompiledRule {
  const group = d.group ?? 0;
  const flags = d.pattern.flags.includes('g') ? d.pattern.flags : `${d.pattern.flags}g`;
  const re = new RegExp(d.pattern.source, group !== 0 && !flags.includes('d') ? `${flags}d` : flags);
  return {
    rule: d.rule,
    kind: d.kind,
    priority: d.priority,
    keywords: d.keywords,
    run(text, out) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        let start = m.index;
        let value = m[0];
        if (group !== 0) {
          let g = group;
          // -1: the first capture that took part (alternative quoting styles).
          if (g === -1) for (g = 1; g < m.length && m[g] === undefined; g++);
          const span = m.indices?.[g];
          const v = m[g];
          if (span === undefined || v === undefined) continue;
          start = span[0];
          value = v;
        }
        if (d.validate !== undefined && !d.validate(value, text, start)) continue;
        out.push({ kind: d.kind, rule: d.rule, start, end: start + value.length, priority: d.priority });
      }
    },
  };
}

const EMAIL_RULE: CompiledRule = {
  rule: 'pii-email',
  kind: 'email',
  priority: 2,
  run(text, out) {
    findEmails(text, (start, end) => out.push({ kind: 'email', rule: 'pii-email', start, end, priority: 2 }));
  },
};

const IPV6_RULE: CompiledRule = {
  rule: 'pii-ipv6',
  kind: 'ip',
  priority: 1,
  run(text, out) {
    findIpv6(text, (start, end) => out.push({ kind: 'ip', rule: 'pii-ipv6', start, end, priority: 1 }));
  },
};

/** A hand-written finder (assignments, prose, manifests) wrapped as a rule. */
function finderRule(
  rule: string,
  kind: string,
  priority: number,
  find: (text: string, push: (h: { start: number; end: number; kind: string; rule: string }) => void) => void,
): CompiledRule {
  return {
    rule,
    kind,
    priority,
    run(text, out) {
      find(text, (h) => {
        if (h.end > h.start) out.push({ kind: h.kind, rule: h.rule, start: h.start, end: h.end, priority });
      });
    },
  };
}

const PHONE_RULE: CompiledRule = {
  rule: 'pii-phone',
  kind: 'phone',
  priority: 1,
  run(text, out) {
    findPhones(text, (start, end, rule) => out.push({ kind: 'phone', rule, start, end, priority: 1 }));
  },
};

function better(a: RawFinding, b: RawFinding): boolean {
  return a.priority > b.priority || (a.priority === b.priority && a.end - a.start > b.end - b.start);
}

/**
 * One finding per overlapping cluster, covering the union of the cluster so no part of any match
 * survives; kind, rule and pseudonym come from the best match (higher priority, then longer: a
 * provider format beats a generic rule). A sweep by start, O(n log n), so a value stuffed with
 * matches stays cheap.
 */
function resolveOverlaps(text: string, found: RawFinding[]): RawFinding[] {
  if (found.length < 2) return found;
  const sorted = [...found].sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: RawFinding[] = [];
  let best: RawFinding | undefined;
  for (const f of sorted) {
    const last = kept[kept.length - 1];
    if (last === undefined || best === undefined || f.start >= last.end) {
      kept.push(f);
      best = f;
      continue;
    }
    if (better(f, best)) best = f;
    const start = last.start;
    const end = Math.max(last.end, f.end);
    const exact = best.start === start && best.end === end;
    kept[kept.length - 1] = {
      ...best,
      start,
      end,
      hashValue: exact ? best.hashValue : (best.hashValue ?? text.slice(best.start, best.end)),
    };
  }
  return kept;
}

function checkClock(deadline: number, rule: string): void {
  if (Date.now() > deadline) throw new RedactionTimeoutError(`redaction budget exceeded in ${rule}`);
}

export interface Scanner {
  /** All findings in `text`, non-overlapping and sorted; throws RedactionTimeoutError past `deadline`. */
  scan(text: string, deadline?: number): RawFinding[];
}

const ALL_PROVIDERS: readonly Detector[] = [...PROVIDER_DETECTORS, ...PREFIXED_PROVIDER_DETECTORS];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// Every keyword the assignment/header rules and case-insensitive provider rules start from: prose
// without any of them skips those eight regexes. Must stay a superset of their leading literals.
const KEYWORD_GATE = /key|secret|token|auth|credential|sig|pass|pwd|bearer|basic|cookie/i;

// Scanning a short text is quicker than reading the clock 40 times; long texts check after each rule.
const CLOCK_EVERY_RULE_ABOVE = 32 * 1024;

export function createScanner(customPatterns: readonly CustomPattern[] = []): Scanner {
  // Every provider prefix in one alternation (longest first): one pass over the text says which
  // provider rules can match at all, and only those run.
  const byPrefix = new Map<string, CompiledRule[]>();
  for (const d of ALL_PROVIDERS) {
    if (d.prefixes === undefined) continue;
    const compiled = compileDetector(d);
    for (const prefix of d.prefixes) {
      const list = byPrefix.get(prefix) ?? [];
      list.push(compiled);
      byPrefix.set(prefix, list);
    }
  }
  const prefixGate = new RegExp(
    [...byPrefix.keys()]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join('|'),
    'g',
  );
  // Rules named by keywords (`AccountKey=`, `secret_access_key`, `Authorization:`) run only when a
  // keyword occurs; assignments and prose have their own, wider keyword gate.
  const keywordRules = [
    ...ALL_PROVIDERS.filter((d) => d.prefixes === undefined),
    ...GENERIC_DETECTORS.filter((d) => d.rule !== 'url-credentials'),
  ].map(compileDetector);
  const assignmentRules: CompiledRule[] = [
    finderRule('secret-assignment', 'generic_secret', 1, findAssignments),
    finderRule('kubernetes-secret', 'generic_secret', 1, findKubernetesSecretData),
  ];
  const rules: CompiledRule[] = [
    finderRule('secret-in-text', 'generic_secret', 0, findProseSecrets),
    finderRule('cli-user-password', 'password', 1, findCurlCredentials),
    ...GENERIC_DETECTORS.filter((d) => d.rule === 'url-credentials').map(compileDetector),
    EMAIL_RULE,
    IPV6_RULE,
    PHONE_RULE,
    ...PII_DETECTORS.map(compileDetector),
    ...customPatterns.map((p) => {
      try {
        return compileDetector({ rule: p.rule, kind: p.kind, priority: 2, pattern: p.pattern });
      } catch (cause) {
        throw new Error(`invalid custom pattern ${p.rule}`, { cause });
      }
    }),
  ];

  function scanAt(text: string, depth: number, deadline: number): RawFinding[] {
    const found: RawFinding[] = [];
    const clockEachRule = text.length > CLOCK_EVERY_RULE_ABOVE;
    prefixGate.lastIndex = 0;
    let providers: Set<CompiledRule> | undefined;
    for (let m = prefixGate.exec(text); m !== null; m = prefixGate.exec(text)) {
      providers ??= new Set();
      for (const r of byPrefix.get(m[0])!) providers.add(r);
    }
    if (providers !== undefined) {
      for (const r of providers) {
        r.run(text, found);
        if (clockEachRule) checkClock(deadline, r.rule);
      }
    }
    if (KEYWORD_GATE.test(text)) {
      for (const r of keywordRules) {
        r.run(text, found);
        if (clockEachRule) checkClock(deadline, r.rule);
      }
    }
    if (ASSIGNMENT_GATE.test(text)) {
      for (const r of assignmentRules) {
        r.run(text, found);
        if (clockEachRule) checkClock(deadline, r.rule);
      }
    }
    for (const r of rules) {
      if (r.keywords !== undefined && !r.keywords.some((k) => text.includes(k))) continue;
      r.run(text, found);
      if (clockEachRule) checkClock(deadline, r.rule);
    }
    checkClock(deadline, 'scan');
    const direct = resolveOverlaps(text, found);
    if (depth >= MAX_DECODE_DEPTH || text.length < 20) return direct;
    const encoded = findEncoded(text, direct, depth, (decoded, d) => scanAt(decoded, d, deadline));
    return encoded.length === 0 ? direct : resolveOverlaps(text, [...direct, ...encoded]);
  }

  return { scan: (text, deadline = Number.POSITIVE_INFINITY) => scanAt(text, 0, deadline) };
}
