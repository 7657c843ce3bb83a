import { jsonLeaves, lastKey, normaliseHost } from './text.js';
import { findTokens } from './tokens.js';

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

export const DESTINATION_KEY =
  /^(to|cc|bcc|recipients?|emails?|email_address|address(es)?|channel|channel_id|chat_id|webhook(_url)?|url|uri|endpoint|host|hostname|domain|server|target|destination|dest|phone|phone_number|bucket|repo|repository)$/;

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

/** Destinations named in tool-call arguments: destination-like keys, and any value that is a whole URL. */
export function extractDestinations(argsText: string): Destination[] {
  const out: Destination[] = [];
  const seen = new Set<string>();
  const add = (value: string, path: string, leaf: string, start: number, end: number, token = false): void => {
    if (value === '' || seen.has(value) || out.length >= MAX_DESTINATIONS) return;
    seen.add(value);
    out.push({ value, path, leaf, start, end, token });
  };
  for (const { path, value } of jsonLeaves(argsText)) {
    const isKey = DESTINATION_KEY.test(lastKey(path));
    if (WHOLE_URL.test(value)) {
      const host = urlHost(value);
      const at = value.toLowerCase().indexOf(host);
      add(host, path, value, Math.max(0, at), Math.max(0, at) + host.length);
      continue;
    }
    if (!isKey) continue;
    let rest = value;
    for (const t of findTokens(value)) {
      add(t.token, path, value, t.start, t.end, true);
      rest = rest.slice(0, t.start) + ' '.repeat(t.end - t.start) + rest.slice(t.end);
    }
    for (const m of rest.matchAll(/[^,;\s]+/g)) {
      const part = m[0];
      const mail = EMAIL.exec(part);
      if (mail) add(normaliseHost(mail[1]!), path, value, m.index, m.index + part.length);
      else if (part.length <= 100) add(part.toLowerCase(), path, value, m.index, m.index + part.length);
    }
  }
  return out;
}
