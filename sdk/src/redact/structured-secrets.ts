import { acceptsValue, isPlaceholder } from './value-shape.js';

/** Secrets identified by the document around them rather than by their own name or shape. */
export interface StructuredHit {
  start: number;
  end: number;
  kind: string;
  rule: string;
}

const K8S_SECRET_KIND = /^[ \t]*kind:[ \t]*["']?Secret["']?[ \t]*$/im;
const DATA_BLOCK = /^([ \t]*)(?:data|stringData):[ \t]*$/gm;
const DATA_ENTRY = /^([ \t]+)([\w.-]+):[ \t]*(?:[|>][-+]?[ \t]*\n[ \t]+)?["']?([^\s"'#][^\s"']*)["']?[ \t]*$/gm;

/**
 * Kubernetes `Secret` manifests: every value under `data:` (base64) or `stringData:` is a secret,
 * whatever its key is called (`tls.key`, `config.json`, `DB_URL`).
 */
export function findKubernetesSecretData(text: string, push: (hit: StructuredHit) => void): void {
  if (!K8S_SECRET_KIND.test(text)) return;
  // Each YAML document is judged on its own: `kind: Secret` in one does not make the next one a Secret.
  let offset = 0;
  for (const doc of text.split(/^---[ \t]*$/m)) {
    if (K8S_SECRET_KIND.test(doc)) findInDocument(doc, offset, push);
    offset += doc.length + 3;
  }
}

function findInDocument(doc: string, offset: number, push: (hit: StructuredHit) => void): void {
  DATA_BLOCK.lastIndex = 0;
  for (let b = DATA_BLOCK.exec(doc); b !== null; b = DATA_BLOCK.exec(doc)) {
    const indent = b[1]!.length;
    const start = b.index + b[0].length + 1;
    // The block runs until a line indented no deeper than `data:`.
    let end = doc.length;
    const rest = /^(?![ \t]*$)([ \t]*)\S/gm;
    rest.lastIndex = start;
    for (let l = rest.exec(doc); l !== null; l = rest.exec(doc)) {
      if (l[1]!.length <= indent) {
        end = l.index;
        break;
      }
    }
    const block = doc.slice(0, end);
    DATA_ENTRY.lastIndex = start;
    for (let e = DATA_ENTRY.exec(block); e !== null; e = DATA_ENTRY.exec(block)) {
      if (e[1]!.length <= indent) break;
      const value = e[3]!;
      if (value.length < 4 || isPlaceholder(value) || /^\{\{.*\}\}$/.test(value)) continue;
      const at = e.index + e[0].lastIndexOf(value);
      push({ start: offset + at, end: offset + at + value.length, kind: 'generic_secret', rule: 'kubernetes-secret' });
    }
    DATA_BLOCK.lastIndex = Math.max(DATA_BLOCK.lastIndex, end);
  }
}

const CURL_USER =
  /(?:^|[\s;|&(])(?:-u|--user|--proxy-user|-U)(?:=|[ \t]+)(["']?)([^\s"':]*):([^\s"']*)\1(?=\s|$|[;|&)])/gm;

/** `curl -u user:password`, `--user "user:password"`: the password (or a user that is itself a key). */
export function findCurlCredentials(text: string, push: (hit: StructuredHit) => void): void {
  if (!text.includes('-u') && !text.includes('--user') && !text.includes('-U')) return;
  CURL_USER.lastIndex = 0;
  for (let m = CURL_USER.exec(text); m !== null; m = CURL_USER.exec(text)) {
    const user = m[2]!;
    const password = m[3]!;
    const passwordStart = m.index + m[0].length - m[1]!.length - password.length;
    if (password.length > 0) {
      if (isPlaceholder(password) || /^\$/.test(password) || password.length < 3) continue;
      push({ start: passwordStart, end: passwordStart + password.length, kind: 'password', rule: 'cli-user-password' });
    } else if (acceptsValue(user, 'strong')) {
      // `curl -u sk_live_…:` sends an API key as the user name with an empty password.
      const userStart = passwordStart - 1 - user.length;
      push({ start: userStart, end: userStart + user.length, kind: 'generic_secret', rule: 'cli-user-password' });
    }
  }
}
