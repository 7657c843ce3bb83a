import { normaliseHost } from './text.js';

/** A URL found in text, with its position and whether it is the source of an image (markdown or HTML). */
export interface FoundUrl {
  url: URL;
  host: string;
  start: number;
  end: number;
  image: boolean;
}

// Brackets stay in: a pseudonym token (`?to=[email:7f3a]`) is part of the URL.
const URL_RE = /\bhttps?:\/\/[^\s<>"'`)]+/gi;
const MD_IMAGE_RE = /!\[[^\]\n]{0,500}\]\(\s*<?(?=https?:)/gi;
const HTML_IMG_RE = /<img\b[^>]{0,500}?\bsrc\s*=\s*["']?(?=https?:)/gi;
const MD_IMAGE_REF_RE = /!\[[^\]\n]{0,500}\]\[([^\]\n]{1,100})\]/g;
const MD_REF_DEF_RE = /^[ \t]{0,3}\[([^\]\n]{1,100})\]:[ \t]*<?(?=https?:)/gm;
const MAX_URLS = 50;

export function findUrls(text: string): FoundUrl[] {
  const imageStarts = new Set<number>();
  for (const m of text.matchAll(MD_IMAGE_RE)) imageStarts.add(m.index + m[0].length);
  for (const m of text.matchAll(HTML_IMG_RE)) imageStarts.add(m.index + m[0].length);
  const imageRefs = new Set([...text.matchAll(MD_IMAGE_REF_RE)].map((m) => m[1]!.toLowerCase()));
  for (const m of text.matchAll(MD_REF_DEF_RE)) {
    if (imageRefs.has(m[1]!.toLowerCase())) imageStarts.add(m.index + m[0].length);
  }
  const out: FoundUrl[] = [];
  for (const m of text.matchAll(URL_RE)) {
    if (out.length >= MAX_URLS) break;
    let raw = m[0].replace(/[.,;:!?]+$/, '');
    while (raw.endsWith(']') && raw.split('[').length < raw.split(']').length) raw = raw.slice(0, -1);
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      continue;
    }
    out.push({
      url,
      host: normaliseHost(url.hostname),
      start: m.index,
      end: m.index + raw.length,
      image: imageStarts.has(m.index),
    });
  }
  return out;
}

/** Labels left of the registrable domain (`a.b.example.co.uk` → `a`, `b`), approximated without a suffix list. */
export function subdomainLabels(host: string): string[] {
  const labels = host.split('.');
  const last = labels[labels.length - 1] ?? '';
  const second = labels[labels.length - 2] ?? '';
  const keep = last.length === 2 && second.length <= 3 && labels.length > 2 ? 3 : 2;
  return labels.slice(0, Math.max(0, labels.length - keep));
}

/** Every query and fragment value (a fragment without `=` is one value). */
export function urlValues(url: URL): string[] {
  const values = [...url.searchParams.values()];
  const fragment = url.hash.replace(/^#/, '');
  if (fragment !== '') {
    if (fragment.includes('=')) values.push(...new URLSearchParams(fragment).values());
    else values.push(decodeSafe(fragment));
  }
  return values;
}

function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Hosts named in text (used for the hosts the user mentioned in the run input). */
export function hostsIn(text: string): Set<string> {
  return new Set(findUrls(text).map((u) => u.host));
}
