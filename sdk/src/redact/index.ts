export { cardBrandValid, ibanValid, luhnValid, shannonEntropy, ssnValid } from './checks.js';
export { normalizeFieldName } from './field-names.js';
export { createRedactor, REDACTION_ERROR_TOKEN, REDACTION_VERSION } from './redactor.js';
export { type BlobInfo, stripTokenContext, TOKEN_SOURCE, type TokenContext, tokenContext } from './tokens.js';
export type {
  CustomPattern,
  RedactAttributesResult,
  RedactionFinding,
  RedactionOptions,
  Redactor,
  RedactResult,
} from './types.js';

/** Finding kinds that are personal data; every other kind is a secret. */
export const PII_KINDS: ReadonlySet<string> = new Set(['email', 'phone', 'card', 'iban', 'ssn', 'ip']);
