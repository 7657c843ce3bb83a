/**
 * Telephone numbers as people and generators write them: international (`+44 20 7946 0958`,
 * `0049 30 1234567`, `+1-202-555-0143x1234`), North American (`(202) 555-0143`, `202.555.0143`,
 * `001-202-555-0143`, any area digits, as test-data generators produce), national with a trunk 0
 * (`020 7946 0958`, `06 12 34 56 78`, `(0123) 456 7890`), and national numbers without one when a
 * phone word comes first ("mobile: 612 345 678"). Extensions (`x123`, `ext. 45`) belong to the number.
 *
 * Found from runs of digits and separators; a run is a phone only in one of these shapes, so dates,
 * amounts, versions, IPs and IDs stay as they are.
 */

const CANDIDATE = /(?:\+|\b00|\()?\d[\d ().\-/]{5,24}\d(?:[ \t]*(?:x|ext\.?|extension|#)[ \t]*\d{1,6})?/gi;
const EXTENSION = /[ \t]*(?:x|ext\.?|extension|#)[ \t]*\d{1,6}$/i;
// "number" alone is also an order or invoice number: only words that mean a telephone count.
const PHONE_WORD =
  /(?:phone[sd]?|tel|telephone|mobile|mob|cell|cellphone|call(?:ed|ing|s)?|sms|text(?:ed)?|whatsapp|signal|fax|contact(?:ed)?|reach(?:ed|able)?|dial(?:ed)?|ring|hotline|helpline|landline|tél|téléphone|telefon|telefono|teléfono|handy|móvil|portable|cellulare)\b[^\n\d+(]{0,20}$/i;

function digitCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) n++;
  }
  return n;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** Not glued to an identifier, version, range or decimal on either side. */
function standalone(text: string, start: number, end: number): boolean {
  const before = start > 0 ? text.charCodeAt(start - 1) : 32;
  const after = end < text.length ? text.charCodeAt(end) : 32;
  const next = end + 1 < text.length ? text.charCodeAt(end + 1) : 32;
  if (isWordChar(before) || before === 46 || before === 45 || before === 43 || before === 47 || before === 58)
    return false;
  if (isWordChar(after) || after === 45 || after === 47) return false;
  return !((after === 46 || after === 58 || after === 44) && next >= 48 && next <= 57);
}

const NANP = /^(?:(?:\+?1|001)[-. ]?)?(?:\(\d{3}\)[-. ]?\d{3}[-. ]\d{4}|\d{3}([-.])\d{3}\1\d{4})$/;
const NANP_SPACED = /^(?:(?:\+?1)[ ])?[2-9]\d{2} [2-9]\d{2} \d{4}$/;
const INTERNATIONAL = /^(?:\+|00)[1-9]\d{0,2}(?:[ .-]?\(0?\d{1,4}\))?(?:[ .-]?\d{1,5}){1,6}$/;
const NATIONAL_TRUNK = [
  /^0\d{2,4}[ -]\d{3,4}[ -]?\d{3,4}$/, // 020 7946 0958, 01632 960123, 030-1234-5678
  /^\(0\d{1,4}\)[ -]?\d{3,4}[ -]?\d{3,4}$/, // (0123) 456 7890, (030) 12345678
  /^0\d(?:[ .-]\d{2}){4}$/, // 06 12 34 56 78
  /^0\d{1,4}[-/]\d{5,8}$/, // 06-12345678, 030/1234567
  /^0\d{3,4} \d{5,6}$/, // 07700 900123
  /^8 ?\(?\d{3,4}\)? ?\d{2,3}-\d{2}-\d{2}$/, // 8 (495) 123-45-67
];
const DATE = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})$/;

/** The rule that recognises a phone number of this shape. */
export type PhoneShape = 'pii-phone-international' | 'pii-phone-nanp' | 'pii-phone-national' | 'pii-phone-context';

function shaped(core: string, text: string, start: number): PhoneShape | undefined {
  const n = digitCount(core);
  if (n < 7 || n > 15) return undefined;
  if (DATE.test(core)) return undefined;
  if (core.startsWith('+') || core.startsWith('00')) {
    const rest = n - (core.startsWith('00') ? 2 : 0);
    // `00…` with no separator at all is as often an order or account number.
    if (core.startsWith('00') && /^\d+$/.test(core) && !PHONE_WORD.test(text.slice(Math.max(0, start - 32), start)))
      return undefined;
    if (core.startsWith('001') && NANP.test(core)) return 'pii-phone-nanp';
    return rest >= 8 && rest <= 15 && INTERNATIONAL.test(core) ? 'pii-phone-international' : undefined;
  }
  if (NANP.test(core) || NANP_SPACED.test(core)) return 'pii-phone-nanp';
  if (core.startsWith('0') || core.startsWith('(0') || core.startsWith('8')) {
    if (n >= 9 && n <= 12 && NATIONAL_TRUNK.some((re) => re.test(core))) return 'pii-phone-national';
  }
  // A seven-digit local number (`555-0123`) only after a phone word.
  if (n === 7 && /^\d{3}[-.]\d{4}$/.test(core)) {
    return PHONE_WORD.test(text.slice(Math.max(0, start - 32), start)) ? 'pii-phone-context' : undefined;
  }
  // Anything else needs a phone word before it: "mobile: 612 345 678", "call 7911 123456".
  if (n < 8 || n > 12 || /[()]/.test(core.replace(/^\(\d{2,5}\)/, ''))) return undefined;
  if (!/^\(?\d[\d -.]*\d$/.test(core)) return undefined;
  return PHONE_WORD.test(text.slice(Math.max(0, start - 32), start)) ? 'pii-phone-context' : undefined;
}

export function findPhones(text: string, push: (start: number, end: number, rule: PhoneShape) => void): void {
  CANDIDATE.lastIndex = 0;
  for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
    let value = m[0];
    let start = m.index;
    // A run may start with `(` of a sentence, or end on a separator.
    if (value.startsWith('(') && !/^\(\d{2,5}\)/.test(value)) {
      value = value.slice(1);
      start++;
    }
    if (start > 0 && text.charCodeAt(start - 1) === 43) continue;
    const hit = matchAt(text, start, value);
    if (hit !== undefined) {
      push(start, hit.end, hit.rule);
      CANDIDATE.lastIndex = Math.max(CANDIDATE.lastIndex, hit.end);
      continue;
    }
    // Two numbers side by side ("555-123-4567 555-987-6543") make one run: try it cut at each space.
    for (let cut = value.lastIndexOf(' '); cut > 0; cut = value.lastIndexOf(' ', cut - 1)) {
      const h = matchAt(text, start, value.slice(0, cut));
      if (h !== undefined) {
        push(start, h.end, h.rule);
        CANDIDATE.lastIndex = h.end;
        break;
      }
    }
  }
}

/** End of the phone number `value` at `start` (extension included) and its shape, or undefined. */
function matchAt(text: string, start: number, value: string): { end: number; rule: PhoneShape } | undefined {
  const ext = EXTENSION.exec(value);
  let core = ext === null ? value : value.slice(0, ext.index);
  core = core.replace(/[ ().\-/]+$/, '');
  const end = start + (ext === null ? core.length : value.length);
  if (!standalone(text, start, end)) return undefined;
  const rule = shaped(core, text, start);
  return rule === undefined ? undefined : { end, rule };
}
