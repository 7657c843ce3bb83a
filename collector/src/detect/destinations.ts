import type { Step } from '../model/step.js';
import { argRole } from './arg-roles.js';
import type { DetectionConfig } from './config.js';
import { jsonLeaves, normaliseHost } from './text.js';
import { findTokens, tokenDomain } from './tokens.js';

/** Where a tool call sends something: a host, a mail domain, a pseudonymised recipient, a channel. */
export interface Destination {
  /** Normalised identity, as stored in the baseline: `api.example.com`, `[email:7f3a9c1b]`, `#ops`. */
  value: string;
  path: string;
  /** The leaf it came from, with the offsets of the destination inside it (for evidence). */
  leaf: string;
  start: number;
  end: number;
  /** A pseudonymised recipient rather than a host or domain. */
  token: boolean;
}

const WHOLE_URL = /^\s*[a-z][a-z0-9+.-]{1,15}:\/\/[^\s]+\s*$/i;
const EMAIL = /^[^\s@]{1,64}@([a-z0-9.-]{1,253}\.[a-z]{2,63})$/i;
const MAX_DESTINATIONS = 50;

function urlHost(text: string): string {
  try {
    return normaliseHost(new URL(text.trim()).hostname);
  } catch {
    return '';
  }
}

/**
 * Destinations named in a tool call's arguments: every value that is a whole URL, and the values
 * of destination arguments (declared for the tool, or recognised by name: `to`, `recipient`,
 * `user_email`, `participants`, `channel`, `url`, …). A mail address counts by its domain, also
 * when redaction kept the domain in its token (`[email:7f3a9c12@globex.example]`); a token
 * without kept context counts as a pseudonymised recipient.
 */
export function extractDestinations(step: Step, config: DetectionConfig): Destination[] {
  const out: Destination[] = [];
  const seen = new Set<string>();
  const add = (value: string, path: string, leaf: string, start: number, end: number, token = false): void => {
    if (value === '' || seen.has(value) || out.length >= MAX_DESTINATIONS) return;
    seen.add(value);
    out.push({ value, path, leaf, start, end, token });
  };
  for (const { path, value } of jsonLeaves(step.toolArguments)) {
    if (WHOLE_URL.test(value)) {
      const host = urlHost(value);
      const at = value.toLowerCase().indexOf(host);
      add(host, path, value, Math.max(0, at), Math.max(0, at) + host.length);
      continue;
    }
    if (argRole(step, path, config) !== 'destination') continue;
    let rest = value;
    for (const t of findTokens(value)) {
      const domain = tokenDomain(t);
      if (domain !== '') add(normaliseHost(domain), path, value, t.start, t.end);
      else add(t.token, path, value, t.start, t.end, true);
      rest = rest.slice(0, t.start) + ' '.repeat(t.end - t.start) + rest.slice(t.end);
    }
    // A list of addresses splits at commas, semicolons (or spaces between addresses); free text
    // ("Emma's friend") is one value.
    for (const m of rest.matchAll(/[^,;]+/g)) {
      const pieces = [...m[0].matchAll(/\S+/g)];
      const addresses = pieces.length > 1 && pieces.every((p) => /[@.:/#]/.test(p[0]));
      const parts = addresses
        ? pieces
        : pieces.length > 0
          ? [{ 0: m[0].trim(), index: m[0].indexOf(pieces[0]![0]) }]
          : [];
      for (const p of parts) {
        const part = p[0];
        const at = m.index + (p.index ?? 0);
        const mail = EMAIL.exec(part);
        if (mail) add(normaliseHost(mail[1]!), path, value, at, at + part.length);
        else if (part.length <= 100) add(part.toLowerCase(), path, value, at, at + part.length);
      }
    }
  }
  return out;
}
