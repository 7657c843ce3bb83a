import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { CasefileConfigError, type ErrorHandler } from './errors.js';
import type { SecretResolver } from './secrets.js';

export const DEFAULT_ENDPOINT = 'http://localhost:4318';
export const DEFAULT_EXPORT_INTERVAL_MS = 1000;
export const DEFAULT_EXPORT_TIMEOUT_MS = 10_000;
const TRACES_PATH = '/v1/traces';

export interface CustomPattern {
  kind: string;
  rule: string;
  pattern: RegExp;
}

export interface RedactionConfig {
  /** HMAC key for pseudonym tokens. Default: derived from the API key (stable per project). */
  key?: string | Uint8Array;
  /** Attribute or JSON field names whose values are always redacted, e.g. `customer_email`. */
  sensitiveFields?: string[];
  customPatterns?: CustomPattern[];
  /** `false` turns the SDK's redaction pass off (the collector still redacts). Default `true`. */
  enabled?: boolean;
  /**
   * `keep` (default): tokens keep context, never identity (`[email:7f3a9c12@globex.example]`,
   * `[card:7f3a9c12·4242 visa]`). `strict`: kind and hash only.
   */
  tokenContext?: 'keep' | 'strict';
}

export interface CasefileOptions {
  /** Collector base URL; spans go to `<endpoint>/v1/traces`. */
  endpoint?: string;
  /** Project ingest key, sent as `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  serviceName?: string;
  agent: { name: string; version: string };
  redaction?: RedactionConfig;
  /** Extra HTTP headers for the exporter. */
  headers?: Record<string, string>;
  /** How long finished spans wait before a batch is sent. */
  exportIntervalMs?: number;
  /** How long one export may take, retries included, before it is abandoned. */
  exportTimeoutMs?: number;
  /** Extra processors; they sit behind the redactor, so they only ever see redacted spans. */
  spanProcessors?: SpanProcessor[];
  /** Replaces the OTLP/HTTP exporter (tests, custom transports). */
  exporter?: SpanExporter;
  /** Receives every error swallowed after start. Default: log the first one, ignore the rest. */
  onError?: ErrorHandler;
  /** Default resolver for `secretRef` arguments of tool calls. */
  secrets?: SecretResolver;
  /** Environment to read; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
}

export interface ResolvedConfig {
  tracesUrl: string;
  apiKey: string | undefined;
  serviceName: string;
  agent: { name: string; version: string };
  headers: Record<string, string>;
  exportIntervalMs: number;
  exportTimeoutMs: number;
  redaction: {
    enabled: boolean;
    key: string | Uint8Array | undefined;
    sensitiveFields: string[];
    customPatterns: CustomPattern[];
    tokenContext: 'keep' | 'strict';
  };
}

const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'is not a valid HTTP header name');
const headerValue = z.string().regex(/^[^\r\n\0]*$/, 'must not contain line breaks');
const url = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });
const apiKey = z
  .string()
  .min(1, 'must not be empty')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

const fn = (message: string) => z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', message);

const optionsSchema = z.object({
  endpoint: url.optional(),
  apiKey: apiKey.optional(),
  serviceName: z.string().min(1, 'must not be empty').optional(),
  agent: z.object(
    {
      name: z.string({ error: 'is required (a string)' }).min(1, 'must not be empty').max(256),
      version: z.string({ error: 'is required (a string)' }).min(1, 'must not be empty').max(128),
    },
    { error: 'is required: { name, version }' },
  ),
  redaction: z
    .object({
      key: z
        .union([z.string().min(16, 'must be at least 16 characters'), z.instanceof(Uint8Array)])
        .optional()
        .refine((k) => !(k instanceof Uint8Array) || k.byteLength >= 16, 'must be at least 16 bytes'),
      sensitiveFields: z.array(z.string().min(1)).optional(),
      customPatterns: z
        .array(z.object({ kind: z.string().min(1), rule: z.string().min(1), pattern: z.instanceof(RegExp) }))
        .optional(),
      enabled: z.boolean().optional(),
      tokenContext: z.enum(['keep', 'strict'], { error: 'must be keep or strict' }).optional(),
    })
    .optional(),
  headers: z.record(headerName, headerValue).optional(),
  exportIntervalMs: z.number().int('must be an integer').min(1).max(600_000).optional(),
  exportTimeoutMs: z.number().int('must be an integer').min(100).max(600_000).optional(),
  spanProcessors: z
    .array(z.looseObject({ onEnd: fn('must be a SpanProcessor') }), 'must be an array of SpanProcessor')
    .optional(),
  exporter: z.looseObject({ export: fn('must be a SpanExporter') }, 'must be a SpanExporter').optional(),
  onError: fn('must be a function').optional(),
  secrets: fn('must be a function').optional(),
});

const envSchema = z.object({
  CASEFILE_ENDPOINT: url.optional(),
  CASEFILE_API_KEY: apiKey.optional(),
  CASEFILE_SERVICE_NAME: z.string().min(1).optional(),
  CASEFILE_REDACTION_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  CASEFILE_REDACTION_TOKENS: z.enum(['context', 'keep', 'strict'], { error: 'must be context or strict' }).optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});

function describe(issues: z.core.$ZodIssue[], prefix: string): string[] {
  return issues.map((i) => `${prefix}${i.path.map(String).join('.') || '(root)'}: ${i.message}`);
}

/** `k1=v1,k2=v2` with percent-encoded values, as the OTLP exporter spec defines it. */
function parseOtlpHeaders(raw: string, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    if (pair.trim() === '') continue;
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq).trim() : '';
    let value = '';
    try {
      value = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      problems.push('OTEL_EXPORTER_OTLP_HEADERS: a value is not valid percent-encoding');
      continue;
    }
    if (!headerName.safeParse(name).success || !headerValue.safeParse(value).success) {
      problems.push('OTEL_EXPORTER_OTLP_HEADERS: expected comma-separated name=value pairs');
      continue;
    }
    out[name] = value;
  }
  return out;
}

/** HTTP header names are case-insensitive: a later source replaces an earlier one whatever its case. */
function mergeHeaders(into: Record<string, string>, from: Record<string, string>): void {
  for (const [name, value] of Object.entries(from)) {
    for (const existing of Object.keys(into)) {
      if (existing.toLowerCase() === name.toLowerCase()) delete into[existing];
    }
    into[name] = value;
  }
}

function tracesUrlFrom(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith(TRACES_PATH) ? trimmed : `${trimmed}${TRACES_PATH}`;
}

/** Empty env values mean "unset", as in the OTel SDKs. */
function readEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of [...Object.keys(envSchema.shape), 'OTEL_EXPORTER_OTLP_HEADERS']) {
    const v = env[key]?.trim();
    if (v) out[key] = v;
  }
  return out;
}

/**
 * Validates options and environment together and reports every bad value in one error, each named
 * by the option path (`options.agent.name`) or the variable (`CASEFILE_ENDPOINT`). Explicit options
 * win over Casefile variables, which win over the standard OTEL_* ones.
 */
export function resolveConfig(options: CasefileOptions): ResolvedConfig {
  const problems: string[] = [];
  const parsedOptions = optionsSchema.safeParse(options ?? {});
  if (!parsedOptions.success) problems.push(...describe(parsedOptions.error.issues, 'options.'));
  const rawEnv = readEnv(options?.env ?? process.env);
  const parsedEnv = envSchema.safeParse(rawEnv);
  if (!parsedEnv.success) problems.push(...describe(parsedEnv.error.issues, ''));
  const envHeaders = rawEnv.OTEL_EXPORTER_OTLP_HEADERS
    ? parseOtlpHeaders(rawEnv.OTEL_EXPORTER_OTLP_HEADERS, problems)
    : {};
  if (problems.length > 0 || !parsedOptions.success || !parsedEnv.success) {
    throw new CasefileConfigError(problems, { cause: parsedOptions.error ?? parsedEnv.error });
  }
  const o = parsedOptions.data;
  const e = parsedEnv.data;

  let tracesUrl: string;
  if (o.endpoint) tracesUrl = tracesUrlFrom(o.endpoint);
  else if (e.CASEFILE_ENDPOINT) tracesUrl = tracesUrlFrom(e.CASEFILE_ENDPOINT);
  else if (e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) tracesUrl = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  else tracesUrl = tracesUrlFrom(e.OTEL_EXPORTER_OTLP_ENDPOINT ?? DEFAULT_ENDPOINT);

  const key = o.apiKey ?? e.CASEFILE_API_KEY;
  const headers: Record<string, string> = {};
  mergeHeaders(headers, envHeaders);
  if (key) mergeHeaders(headers, { Authorization: `Bearer ${key}` });
  mergeHeaders(headers, o.headers ?? {});
  const hasAuth = Object.keys(headers).some((h) => h.toLowerCase() === 'authorization');
  if (!hasAuth && !options.exporter) {
    throw new CasefileConfigError([
      'options.apiKey: missing; pass apiKey or set CASEFILE_API_KEY (the collector rejects exports without a key)',
    ]);
  }

  return {
    tracesUrl,
    apiKey: key,
    serviceName: o.serviceName ?? e.CASEFILE_SERVICE_NAME ?? e.OTEL_SERVICE_NAME ?? o.agent.name,
    agent: { name: o.agent.name, version: o.agent.version },
    headers,
    exportIntervalMs: o.exportIntervalMs ?? DEFAULT_EXPORT_INTERVAL_MS,
    exportTimeoutMs: o.exportTimeoutMs ?? DEFAULT_EXPORT_TIMEOUT_MS,
    redaction: {
      enabled: o.redaction?.enabled ?? true,
      key: o.redaction?.key ?? e.CASEFILE_REDACTION_KEY,
      sensitiveFields: o.redaction?.sensitiveFields ?? [],
      customPatterns: o.redaction?.customPatterns ?? [],
      tokenContext: o.redaction?.tokenContext ?? (e.CASEFILE_REDACTION_TOKENS === 'strict' ? 'strict' : 'keep'),
    },
  };
}
