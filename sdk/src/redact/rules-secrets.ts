import { shannonEntropy } from './checks.js';
import type { Detector } from './types.js';

const minEntropy = (bits: number) => (value: string) => shannonEntropy(value) >= bits;

/**
 * Provider key formats. Each regex starts with a literal prefix, which the regex engine skips to
 * quickly, so a payload without e.g. `ghp_` costs the GitHub rule almost nothing. Trailing `(?![\w-])` stops a match from being a
 * prefix of a longer identifier.
 */
export const PROVIDER_DETECTORS: readonly Detector[] = [
  {
    rule: 'aws-access-key-id',
    kind: 'aws_key',
    priority: 3,
    prefixes: ['AKIA', 'ASIA', 'ABIA', 'ACCA', 'A3T'],
    pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16}(?![A-Za-z0-9])/g,
  },
  {
    rule: 'aws-secret-access-key',
    kind: 'aws_secret',
    priority: 3,
    pattern: /secret_?(?:access_?)?key["']?\s{0,4}(?:[:=]|=>)\s{0,4}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
    validate: minEntropy(3.5),
  },
  {
    rule: 'github-token',
    kind: 'github_token',
    priority: 3,
    prefixes: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    pattern: /\bgh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9_])/g,
  },
  {
    rule: 'github-fine-grained-pat',
    kind: 'github_token',
    priority: 3,
    prefixes: ['github_pat_'],
    pattern: /\bgithub_pat_[A-Za-z0-9_]{60,255}/g,
  },
  {
    rule: 'gitlab-token',
    kind: 'gitlab_token',
    priority: 3,
    prefixes: [
      'glpat-',
      'gldt-',
      'glptt-',
      'glrt-',
      'glcbt-',
      'glft-',
      'glimt-',
      'glsoat-',
      'glffct-',
      'glagent-',
      'gloas-',
    ],
    pattern: /\b(?:glpat|gldt|glptt|glrt|glcbt|glft|glimt|glsoat|glffct|glagent|gloas)-[A-Za-z0-9_.-]{20,300}/g,
  },
  {
    rule: 'slack-token',
    kind: 'slack_token',
    priority: 3,
    prefixes: ['xoxb-', 'xoxp-', 'xoxe', 'xoxa-', 'xoxr-', 'xoxo-', 'xoxs-', 'xapp-'],
    // Each token type's own structure (team and user numbers, then the secret): a loose `xox…-` prefix
    // also starts words in URL paths and slugs.
    pattern:
      /\b(?:xox[bpe]-\d{6,14}-[A-Za-z0-9-]{10,250}|xox[ar]-(?:\d-)?[A-Za-z0-9]{8,48}|xox[os]-\d+-\d+-\d+-[A-Fa-f\d]+|xoxe(?:\.xox[bp])?-\d-[A-Za-z0-9]{100,200}|xapp-\d-[A-Za-z0-9]+-\d+-[A-Za-z0-9]+)(?![A-Za-z0-9-])/g,
    validate: (v) => /\d/.test(v.slice(5)) && /[A-Za-z]/.test(v.slice(5)) && minEntropy(3)(v),
  },
  {
    rule: 'slack-webhook',
    kind: 'slack_webhook',
    priority: 3,
    prefixes: ['hooks.slack.com/'],
    pattern: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/_-]{20,200}/g,
  },
  {
    rule: 'stripe-key',
    kind: 'stripe_key',
    priority: 3,
    prefixes: ['sk_test_', 'sk_live_', 'sk_prod_', 'rk_test_', 'rk_live_', 'rk_prod_', 'whsec_'],
    pattern: /\b(?:(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{10,247}|whsec_[A-Za-z0-9+/]{24,100})(?![A-Za-z0-9])/g,
  },
  {
    rule: 'anthropic-api-key',
    kind: 'anthropic_key',
    priority: 4,
    prefixes: ['sk-ant-'],
    pattern: /\bsk-ant-[a-z]{2,10}\d{2}-[A-Za-z0-9_-]{40,200}/g,
  },
  {
    rule: 'openai-api-key',
    kind: 'openai_key',
    priority: 3,
    prefixes: ['sk-'],
    // `sk-` and 32–60 alphanumerics also covers OpenAI-compatible providers (DeepSeek, Moonshot, …).
    pattern:
      /\bsk-(?:(?:proj|svcacct|admin|None)-[A-Za-z0-9_-]{20,250}|[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}|[A-Za-z0-9]{32,60})(?![A-Za-z0-9_-])/g,
    validate: minEntropy(3.5),
  },
  {
    rule: 'google-api-key',
    kind: 'google_api_key',
    priority: 3,
    prefixes: ['AIza'],
    pattern: /\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g,
  },
  {
    rule: 'google-oauth-secret',
    kind: 'google_oauth',
    priority: 3,
    prefixes: ['GOCSPX-', 'ya29.'],
    pattern: /\b(?:GOCSPX-[A-Za-z0-9_-]{28}|ya29\.[0-9A-Za-z_-]{30,2000})(?![0-9A-Za-z_-])/g,
  },
  {
    rule: 'azure-storage-key',
    kind: 'azure_key',
    priority: 3,
    pattern: /(?:AccountKey|SharedAccessKey)\s{0,2}=\s{0,2}([A-Za-z0-9+/]{20,100}={0,2})/gi,
    group: 1,
  },
  {
    rule: 'azure-sas-signature',
    kind: 'azure_key',
    priority: 3,
    pattern: /[?&;]sig=([A-Za-z0-9%+/]{30,120}(?:%3D|=){0,2})/gi,
    group: 1,
  },
  {
    rule: 'azure-ad-client-secret',
    kind: 'azure_key',
    priority: 3,
    prefixes: ['Q~'],
    pattern: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/g,
  },
  {
    rule: 'twilio-api-key',
    kind: 'twilio_key',
    priority: 3,
    prefixes: ['SK'],
    pattern: /\bSK[0-9a-fA-F]{32}\b/g,
    validate: (v) => /\d/.test(v) && /[a-fA-F]/.test(v.slice(2)),
  },
  {
    rule: 'sendgrid-api-key',
    kind: 'sendgrid_key',
    priority: 3,
    prefixes: ['SG.'],
    pattern: /\bSG\.[A-Za-z0-9_=-]{16,32}\.?[A-Za-z0-9_=-]{30,50}(?![A-Za-z0-9_=-])/g,
    validate: minEntropy(3.5),
  },
  {
    rule: 'npm-token',
    kind: 'npm_token',
    priority: 3,
    prefixes: ['npm_'],
    pattern: /\bnpm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/g,
  },
  {
    rule: 'pypi-token',
    kind: 'pypi_token',
    priority: 3,
    prefixes: ['pypi-AgE'],
    pattern: /\bpypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,}/g,
  },
  {
    rule: 'huggingface-token',
    kind: 'huggingface_token',
    priority: 3,
    prefixes: ['hf_'],
    pattern: /\bhf_[A-Za-z]{34}(?![A-Za-z0-9])/g,
    validate: minEntropy(3.5),
  },
  {
    rule: 'shopify-token',
    kind: 'shopify_token',
    priority: 3,
    prefixes: ['shpat_', 'shpca_', 'shppa_', 'shpss_'],
    pattern: /\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b/g,
  },
  {
    rule: 'digitalocean-token',
    kind: 'digitalocean_token',
    priority: 3,
    prefixes: ['doo_v1_', 'dop_v1_', 'dor_v1_'],
    pattern: /\bdo[opr]_v1_[a-f0-9]{64}\b/g,
  },
  {
    rule: 'private-key-block',
    kind: 'private_key',
    priority: 5,
    prefixes: ['PRIVATE KEY'],
    // An unterminated block (value cut by a size limit) is still redacted to the end of the text.
    pattern:
      /-----BEGIN[ A-Z0-9]{0,20}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]{0,20}PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
  {
    rule: 'jwt',
    kind: 'jwt',
    priority: 4,
    prefixes: ['eyJ'],
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  },
];
