import { ASSIGNMENT_KEYWORDS, findAssignmentsAt, findHighEntropyAssignments } from './assignments.js';
import { findEncoded } from './decode.js';
import { findPhones } from './phones.js';
import { type LiteralEntry, LiteralIndex } from './prefilter.js';
import { findDisclosed, findProseSecrets, PROSE_KEYWORDS } from './prose.js';
import { GENERIC_DETECTORS } from './rules-generic.js';
import { findEmails, findIbans, findIpv6, PII_DETECTORS } from './rules-pii.js';
import { DISCORD_BOT_TOKEN, DISCORD_BOT_TOKEN_MIN_LENGTH, PREFIXED_PROVIDER_DETECTORS } from './rules-providers.js';
import { PROVIDER_DETECTORS } from './rules-secrets.js';
import { findCurlCredentials, findKubernetesSecretData } from './structured-secrets.js';
import type { BlobInfo } from './tokens.js';
import type { CustomPattern, Detector, RedactionFinding } from './types.js';

export interface RawFinding extends RedactionFinding {
  priority: number;
  /** What the pseudonym hashes when it is not the matched text (a decoded datum). */
  hashValue?: string | undefined;
  /** Set when the finding is an encoded blob redacted whole (its token names encoding, size and kinds). */
  blob?: BlobInfo | undefined;
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

const IBAN_RULE: CompiledRule = {
  rule: 'pii-iban',
  kind: 'iban',
  priority: 2,
  run(text, out) {
    findIbans(text, (start, end) => out.push({ kind: 'iban', rule: 'pii-iban', start, end, priority: 2 }));
  },
};

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
      // A blob token describes the blob's own span only.
      blob: exact ? best.blob : undefined,
    };
  }
  return kept;
}

function runRule(r: CompiledRule, text: string, found: RawFinding[], long: boolean, deadline: number): void {
  r.run(text, found);
  if (long) checkClock(deadline, r.rule);
}

function checkClock(deadline: number, rule: string): void {
  if (Date.now() > deadline) throw new RedactionTimeoutError(`redaction budget exceeded in ${rule}`);
}

export interface Scanner {
  /** All findings in `text`, non-overlapping and sorted; throws RedactionTimeoutError past `deadline`. */
  scan(text: string, deadline?: number): RawFinding[];
}

const ALL_PROVIDERS: readonly Detector[] = [...PROVIDER_DETECTORS, ...PREFIXED_PROVIDER_DETECTORS];

// Keywords of the header and keyword-named provider rules (`Authorization:`, `Cookie:`, `Password=`,
// `AccountKey=`, `secret_access_key`, `sig=`): a text without one skips those rules.
const HEADER_KEYWORDS = [
  'key',
  'secret',
  'token',
  'auth',
  'credential',
  'sig',
  'pass',
  'pwd',
  'bearer',
  'basic',
  'cookie',
];

// Scanning a short text is quicker than reading the clock 40 times; long texts check after each rule.
const CLOCK_EVERY_RULE_ABOVE = 32 * 1024;

const ROLE_ASSIGNMENT = 1;
const ROLE_HEADER = 2;
const ROLE_PROSE = 4;
const ROLE_URL = 8;
const ROLE_SSN = 16;
const ROLE_MANIFEST = 32;
const ROLE_CLI_USER = 64;

/** What a literal found by the prefilter stands for: provider rules to run, or detector families. */
interface Literal {
  rules?: CompiledRule[];
  roles: number;
}

function ruleById(rules: CompiledRule[], id: string): CompiledRule {
  const r = rules.find((x) => x.rule === id);
  if (r === undefined) throw new Error(`no rule ${id}`);
  return r;
}

export function createScanner(customPatterns: readonly CustomPattern[] = []): Scanner {
  // One index of every literal a detector starts from: provider prefixes (case-sensitive) and the
  // keywords of assignments, headers and prose (any case). One pass over a text finds them all.
  const entries: LiteralEntry<Literal>[] = [];
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
  for (const [literal, rules] of byPrefix) entries.push({ literal, ignoreCase: false, value: { rules, roles: 0 } });
  const keywordRoles = new Map<string, number>();
  const addRole = (words: readonly string[], role: number) => {
    for (const w of words) keywordRoles.set(w, (keywordRoles.get(w) ?? 0) | role);
  };
  addRole(ASSIGNMENT_KEYWORDS, ROLE_ASSIGNMENT);
  addRole(HEADER_KEYWORDS, ROLE_HEADER);
  addRole(PROSE_KEYWORDS, ROLE_PROSE);
  addRole(['://'], ROLE_URL);
  addRole(['ssn', 'social security'], ROLE_SSN);
  addRole(['kind:'], ROLE_MANIFEST);
  addRole(['-u', '--user', '--proxy-user', '-U'], ROLE_CLI_USER);
  for (const [literal, roles] of keywordRoles) entries.push({ literal, ignoreCase: true, value: { roles } });
  const index = new LiteralIndex(entries);

  // Rules named by keywords (`AccountKey=`, `secret_access_key`, `Authorization:`).
  const headerRules = [
    ...ALL_PROVIDERS.filter((d) => d.prefixes === undefined),
    ...GENERIC_DETECTORS.filter((d) => d.rule !== 'url-credentials'),
  ].map(compileDetector);
  const urlRule = compileDetector(GENERIC_DETECTORS.find((d) => d.rule === 'url-credentials')!);
  const discordBot = compileDetector(DISCORD_BOT_TOKEN);
  const pii = PII_DETECTORS.map(compileDetector);
  const cardRule = ruleById(pii, 'pii-card');
  const ipv4Rule = ruleById(pii, 'pii-ipv4');
  const ssnRule = ruleById(pii, 'pii-ssn');
  const ssnLabelled = ruleById(pii, 'pii-ssn-labelled');
  const kubernetes = finderRule('kubernetes-secret', 'generic_secret', 1, findKubernetesSecretData);
  const prose = finderRule('secret-in-text', 'generic_secret', 0, findProseSecrets);
  const disclosed = finderRule('secret-in-text', 'generic_secret', 0, findDisclosed);
  const curl = finderRule('cli-user-password', 'password', 1, findCurlCredentials);
  const highEntropy = finderRule('high-entropy-assignment', 'generic_secret', 0, findHighEntropyAssignments);
  const custom = customPatterns.map((p) => {
    try {
      return compileDetector({ rule: p.rule, kind: p.kind, priority: 2, pattern: p.pattern });
    } catch (cause) {
      throw new Error(`invalid custom pattern ${p.rule}`, { cause });
    }
  });

  let scannedSinceClock = 0;

  function scanAt(text: string, depth: number, deadline: number): RawFinding[] {
    const found: RawFinding[] = [];
    const long = text.length > CLOCK_EVERY_RULE_ABOVE;
    // The index reuses its result object: take what is needed before any rule (or a nested scan) runs.
    const pf = index.scan(text);
    const { digits, digitRun, colons, dots, dashes, at } = pf;
    let providers: CompiledRule[] | undefined;
    let roles = 0;
    let keywordAt: number[] | undefined;
    for (let i = 0; i < pf.hits; i++) {
      const v = pf.hitEntry[i]!.value;
      if (v.rules !== undefined) {
        providers ??= [];
        for (const r of v.rules) if (!providers.includes(r)) providers.push(r);
      } else {
        roles |= v.roles;
        if (v.roles & ROLE_ASSIGNMENT) {
          keywordAt ??= [];
          keywordAt.push(pf.hitAt[i]!);
        }
      }
    }
    if (providers !== undefined) for (const r of providers) runRule(r, text, found, long, deadline);
    if (roles & ROLE_HEADER) for (const r of headerRules) runRule(r, text, found, long, deadline);
    if (dots >= 2 && text.length >= DISCORD_BOT_TOKEN_MIN_LENGTH) runRule(discordBot, text, found, long, deadline);
    if (keywordAt !== undefined) {
      findAssignmentsAt(text, keywordAt, (h) => {
        if (h.end > h.start) found.push({ kind: h.kind, rule: h.rule, start: h.start, end: h.end, priority: 1 });
      });
      if (roles & ROLE_MANIFEST) runRule(kubernetes, text, found, long, deadline);
    }
    if (roles & ROLE_PROSE) runRule(prose, text, found, long, deadline);
    if (digits > 0 && text.length >= 26) runRule(highEntropy, text, found, long, deadline);
    if (digits > 0 && text.length >= 18 && (text.includes(': ') || text.includes(' is ') || text.includes(' are ')))
      runRule(disclosed, text, found, long, deadline);
    if (roles & ROLE_URL && at) runRule(urlRule, text, found, long, deadline);
    if (roles & ROLE_CLI_USER) runRule(curl, text, found, long, deadline);
    if (at) runRule(EMAIL_RULE, text, found, long, deadline);
    if (colons >= 2) runRule(IPV6_RULE, text, found, long, deadline);
    // Numbers are found from runs of digits and separators: a phone has 7+ digits in one run, a card
    // 12+, an SSN 9, an IPv4 address 4 and three dots.
    if (digitRun >= 7) runRule(PHONE_RULE, text, found, long, deadline);
    if (digitRun >= 12) runRule(cardRule, text, found, long, deadline);
    if (digitRun >= 9 && dashes >= 2) runRule(ssnRule, text, found, long, deadline);
    if (digits >= 9 && roles & ROLE_SSN) runRule(ssnLabelled, text, found, long, deadline);
    if (digitRun >= 4 && dots >= 3) runRule(ipv4Rule, text, found, long, deadline);
    // An IBAN's only certain digits are its two check digits: Malta's or Saint Lucia's may have few more.
    if (digits >= 2 && text.length >= 15) runRule(IBAN_RULE, text, found, long, deadline);
    for (const r of custom) runRule(r, text, found, long, deadline);
    // Reading the clock for every short value costs more than scanning it: check every 16 KB.
    scannedSinceClock += text.length;
    if (long || scannedSinceClock > 16_384) {
      scannedSinceClock = 0;
      checkClock(deadline, 'scan');
    }
    const direct = found.length < 2 ? found : resolveOverlaps(text, found);
    // Encoded blobs are 20+ characters.
    if (depth >= MAX_DECODE_DEPTH || text.length < 20) return direct;
    const encoded = findEncoded(text, direct, depth, (decoded, d) => scanAt(decoded, d, deadline));
    return encoded.length === 0 ? direct : resolveOverlaps(text, [...direct, ...encoded]);
  }

  return { scan: (text, deadline = Number.POSITIVE_INFINITY) => scanAt(text, 0, deadline) };
}
