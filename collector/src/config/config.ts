import { z } from 'zod';
import { LOG_FORMATS, LOG_LEVELS } from '../log/logger.js';
import { parseFlags, UsageError } from './flags.js';

/**
 * The collector's whole configuration: one schema fed by environment variables and CLI flags
 * (flags win). A bad value stops start-up with a message naming the variable or flag.
 */
const portNumber = z.coerce.number().int().min(0, 'must be 0 (any free port) to 65535').max(65535);
const positiveInt = z.coerce.number().int().positive();

export const configSchema = z
  .object({
    port: portNumber.default(4318),
    host: z.string().min(1).default('0.0.0.0'),
    logLevel: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    /** Default: pretty lines on a terminal, one JSON object per line otherwise. */
    logFormat: z.enum(LOG_FORMATS, { error: `must be one of ${LOG_FORMATS.join(', ')}` }).optional(),
    dataDir: z.string().min(1).default('./.casefile'),
    store: z.enum(['duckdb', 'clickhouse']).optional(),
    /** DuckDB's memory limit (its buffer cache and query memory), e.g. `1GB`; DuckDB's default is 80 % of RAM. */
    duckdbMemoryLimit: z
      .string()
      .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'must be a size such as 512MB or 2GB')
      .optional(),
    clickhouseUrl: z.url().optional(),
    clickhouseDatabase: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be a plain identifier (letters, digits, _)')
      .default('casefile'),
    clickhouseUser: z.string().optional(),
    clickhousePassword: z.string().optional(),
    /** A cluster of the servers' remote_servers: tables ON CLUSTER, replicated, behind Distributed tables. */
    clickhouseCluster: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/, 'must be a cluster name from remote_servers (letters, digits, _ . -)')
      .optional(),
    /** On a cluster: replicas of a shard that must hold a span insert before it is acknowledged. */
    clickhouseInsertQuorum: z.coerce.number().int().min(1).max(16).default(1),
    /** With a quorum above 1: how long a span insert waits for it before answering 503 with Retry-After. */
    clickhouseInsertQuorumTimeoutMs: z.coerce.number().int().min(1_000).max(120_000).default(10_000),
    /** MiB of just-written span rows held for detection's read-back (0: every run is read from the server). */
    clickhouseRecentSpansMb: z.coerce.number().int().min(0).max(4096).default(32),
    maxBodyBytes: positiveInt.default(64 * 1024 * 1024),
    maxAttributeValueBytes: positiveInt.default(1024 * 1024),
    batchMaxRows: positiveInt.default(5000),
    batchMaxDelayMs: z.coerce.number().int().min(0).max(60_000).default(0),
    maxQueuedRows: positiveInt.default(200_000),
    /** Acknowledge ingest once the steps are fsynced to a local log (<data dir>/ingest-log), store them after. */
    ingestLog: z.stringbool().default(false),
    ingestLogDelayMs: z.coerce.number().int().min(0).max(60_000).default(250),
    bootstrapIngestKey: z.string().min(16, 'must be at least 16 characters').optional(),
    bootstrapAdminToken: z.string().min(16, 'must be at least 16 characters').optional(),
    redactionKey: z.string().min(16, 'must be at least 16 characters').optional(),
    /** A bearer token for Prometheus scrapers of /metrics (admin login tokens are accepted too). */
    metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Tokens for every project: `context` keeps e-mail domains, card last four, IBAN countries; `strict` keeps nothing. */
    redactionTokens: z.enum(['context', 'strict'], { error: 'must be context or strict' }).default('context'),
    /** Projects whose tokens keep nothing, whatever the default (comma-separated project IDs). */
    redactionStrictProjects: z
      .string()
      .regex(/^[\w.-]+(?:\s*,\s*[\w.-]+)*$/, 'must be project IDs separated by commas')
      .optional()
      .transform(
        (v) =>
          new Set(
            (v ?? '')
              .split(',')
              .map((p) => p.trim())
              .filter((p) => p.length > 0),
          ),
      ),
    uiDir: z.string().optional(),
    detectDelayMs: z.coerce.number().int().min(0).max(3_600_000).default(1500),
    /** Several collectors on one store: how long a run's detection is one collector's before another may take it over. */
    detectLeaseMs: z.coerce.number().int().min(2_000).max(3_600_000).default(60_000),
    /** Graceful shutdown: stop accepting, flush acknowledged writes, leave the detection backlog pending, exit within this. */
    shutdownTimeoutMs: z.coerce.number().int().min(1000).max(600_000).default(20_000),
    /** Longest one store operation may take before it fails with 503. */
    storeTimeoutMs: z.coerce.number().int().min(100).max(600_000).default(30_000),
    alertTickMs: z.coerce.number().int().min(0, 'must be 0 (off) or more').max(3_600_000).default(10_000),
    alertDelayMs: z.coerce.number().int().min(0).max(3_600_000).default(5_000),
    /** A claimed window not evaluated after this long (failure, or a collector that died) is claimed again. */
    alertRetryMs: z.coerce.number().int().min(1_000).max(86_400_000).default(120_000),
    /** Windows missed while no collector ran are evaluated this far back (0 = never catch up). */
    alertCatchUpMs: z.coerce
      .number()
      .int()
      .min(0)
      .max(30 * 86_400_000)
      .default(86_400_000),
    /** ClickHouse only: how long an evaluation claim waits before reading who won (see store/README.md). */
    alertClaimSettleMs: z.coerce.number().int().min(0).max(60_000).default(1_500),
    collectorId: z
      .string()
      .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1–200 printable ASCII characters without spaces')
      .optional(),
    alertWebhookMaxAttempts: z.coerce.number().int().min(1).max(20).default(5),
    alertWebhookTimeoutMs: z.coerce.number().int().min(100).max(120_000).default(10_000),
    alertBlockPrivateWebhooks: z.stringbool().default(false),
    publicUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** An Ed25519 private key (PKCS#8 PEM), or the path of a file holding one: signs chain heads and exports. */
    signingKey: z.string().min(1).optional(),
    /** Longest wait of a durable batch for its hash-chain entry, so that the batches of that time share one append. */
    chainDelayMs: z.coerce.number().int().min(0).max(60_000).default(1000),
    /** Days of data kept in projects without a retention policy of their own; absent = kept until deleted. */
    retentionDays: z.coerce
      .number()
      .int()
      .min(1, 'must be at least 1 (or unset: keep everything)')
      .max(36_500)
      .optional(),
    /** How often retention runs over every project; 0 = only on request. */
    retentionIntervalMs: z.coerce.number().int().min(0).max(604_800_000).default(3_600_000),
  })
  .transform((c) => ({ ...c, store: c.store ?? (c.clickhouseUrl ? ('clickhouse' as const) : ('duckdb' as const)) }))
  .refine((c) => c.store !== 'clickhouse' || c.clickhouseUrl, {
    message: 'CASEFILE_STORE=clickhouse needs CASEFILE_CLICKHOUSE_URL',
    path: ['clickhouseUrl'],
  });

export type Config = z.output<typeof configSchema>;

/** Where each setting comes from, for error messages and the README's table. */
export const CONFIG_SOURCES: Record<keyof z.input<typeof configSchema>, { env: string; flag: string }> = {
  port: { env: 'CASEFILE_PORT', flag: '--port' },
  host: { env: 'CASEFILE_HOST', flag: '--host' },
  logLevel: { env: 'CASEFILE_LOG_LEVEL', flag: '--log-level' },
  logFormat: { env: 'CASEFILE_LOG_FORMAT', flag: '--log-format' },
  dataDir: { env: 'CASEFILE_DATA_DIR', flag: '--data-dir' },
  store: { env: 'CASEFILE_STORE', flag: '--store' },
  duckdbMemoryLimit: { env: 'CASEFILE_DUCKDB_MEMORY_LIMIT', flag: '--duckdb-memory-limit' },
  clickhouseUrl: { env: 'CASEFILE_CLICKHOUSE_URL', flag: '--clickhouse-url' },
  clickhouseDatabase: { env: 'CASEFILE_CLICKHOUSE_DATABASE', flag: '--clickhouse-database' },
  clickhouseUser: { env: 'CASEFILE_CLICKHOUSE_USER', flag: '--clickhouse-user' },
  clickhousePassword: { env: 'CASEFILE_CLICKHOUSE_PASSWORD', flag: '--clickhouse-password' },
  clickhouseCluster: { env: 'CASEFILE_CLICKHOUSE_CLUSTER', flag: '--clickhouse-cluster' },
  clickhouseInsertQuorum: { env: 'CASEFILE_CLICKHOUSE_INSERT_QUORUM', flag: '--clickhouse-insert-quorum' },
  clickhouseInsertQuorumTimeoutMs: {
    env: 'CASEFILE_CLICKHOUSE_INSERT_QUORUM_TIMEOUT_MS',
    flag: '--clickhouse-insert-quorum-timeout-ms',
  },
  clickhouseRecentSpansMb: { env: 'CASEFILE_CLICKHOUSE_RECENT_SPANS_MB', flag: '--clickhouse-recent-spans-mb' },
  maxBodyBytes: { env: 'CASEFILE_MAX_BODY_BYTES', flag: '--max-body-bytes' },
  maxAttributeValueBytes: { env: 'CASEFILE_MAX_ATTRIBUTE_BYTES', flag: '--max-attribute-bytes' },
  batchMaxRows: { env: 'CASEFILE_BATCH_ROWS', flag: '--batch-rows' },
  batchMaxDelayMs: { env: 'CASEFILE_BATCH_DELAY_MS', flag: '--batch-delay-ms' },
  maxQueuedRows: { env: 'CASEFILE_MAX_QUEUED_ROWS', flag: '--max-queued-rows' },
  ingestLog: { env: 'CASEFILE_INGEST_LOG', flag: '--ingest-log' },
  ingestLogDelayMs: { env: 'CASEFILE_INGEST_LOG_DELAY_MS', flag: '--ingest-log-delay-ms' },
  bootstrapIngestKey: { env: 'CASEFILE_BOOTSTRAP_INGEST_KEY', flag: '--bootstrap-ingest-key' },
  bootstrapAdminToken: { env: 'CASEFILE_BOOTSTRAP_ADMIN_TOKEN', flag: '--bootstrap-admin-token' },
  redactionKey: { env: 'CASEFILE_REDACTION_KEY', flag: '--redaction-key' },
  metricsToken: { env: 'CASEFILE_METRICS_TOKEN', flag: '--metrics-token' },
  redactionTokens: { env: 'CASEFILE_REDACTION_TOKENS', flag: '--redaction-tokens' },
  redactionStrictProjects: { env: 'CASEFILE_REDACTION_STRICT_PROJECTS', flag: '--redaction-strict-projects' },
  uiDir: { env: 'CASEFILE_UI_DIR', flag: '--ui-dir' },
  detectDelayMs: { env: 'CASEFILE_DETECT_DELAY_MS', flag: '--detect-delay-ms' },
  detectLeaseMs: { env: 'CASEFILE_DETECT_LEASE_MS', flag: '--detect-lease-ms' },
  shutdownTimeoutMs: { env: 'CASEFILE_SHUTDOWN_TIMEOUT_MS', flag: '--shutdown-timeout-ms' },
  storeTimeoutMs: { env: 'CASEFILE_STORE_TIMEOUT_MS', flag: '--store-timeout-ms' },
  alertTickMs: { env: 'CASEFILE_ALERT_TICK_MS', flag: '--alert-tick-ms' },
  alertDelayMs: { env: 'CASEFILE_ALERT_DELAY_MS', flag: '--alert-delay-ms' },
  alertRetryMs: { env: 'CASEFILE_ALERT_RETRY_MS', flag: '--alert-retry-ms' },
  alertCatchUpMs: { env: 'CASEFILE_ALERT_CATCH_UP_MS', flag: '--alert-catch-up-ms' },
  alertClaimSettleMs: { env: 'CASEFILE_ALERT_CLAIM_SETTLE_MS', flag: '--alert-claim-settle-ms' },
  collectorId: { env: 'CASEFILE_COLLECTOR_ID', flag: '--collector-id' },
  alertWebhookMaxAttempts: { env: 'CASEFILE_ALERT_WEBHOOK_MAX_ATTEMPTS', flag: '--alert-webhook-max-attempts' },
  alertWebhookTimeoutMs: { env: 'CASEFILE_ALERT_WEBHOOK_TIMEOUT_MS', flag: '--alert-webhook-timeout-ms' },
  alertBlockPrivateWebhooks: { env: 'CASEFILE_ALERT_BLOCK_PRIVATE_WEBHOOKS', flag: '--alert-block-private-webhooks' },
  publicUrl: { env: 'CASEFILE_PUBLIC_URL', flag: '--public-url' },
  signingKey: { env: 'CASEFILE_SIGNING_KEY', flag: '--signing-key' },
  chainDelayMs: { env: 'CASEFILE_CHAIN_DELAY_MS', flag: '--chain-delay-ms' },
  retentionDays: { env: 'CASEFILE_RETENTION_DAYS', flag: '--retention-days' },
  retentionIntervalMs: { env: 'CASEFILE_RETENTION_INTERVAL_MS', flag: '--retention-interval-ms' },
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** parseArgs options for every setting's flag: each takes a value (`--port 9000`, `--port=9000`). */
export const CONFIG_FLAGS = Object.fromEntries(
  Object.values(CONFIG_SOURCES).map((s) => [s.flag.slice(2), { type: 'string' as const }]),
) as Record<string, { type: 'string' }>;

/** Build the config from env and `--flag value` / `--flag=value` arguments. */
export function loadConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []): Config {
  try {
    return configFromFlags(env, parseFlags(argv, CONFIG_FLAGS));
  } catch (err) {
    if (err instanceof UsageError) throw new ConfigError(`${err.message} (see --help)`);
    throw err;
  }
}

/** The config from env and flag values already parsed (keyed by flag name without `--`); flags win. */
export function configFromFlags(env: NodeJS.ProcessEnv, flags: Readonly<Record<string, string | undefined>>): Config {
  const raw: Record<string, string> = {};
  for (const [key, s] of Object.entries(CONFIG_SOURCES)) {
    const v = env[s.env];
    if (v !== undefined && v !== '') raw[key] = v;
    const flag = flags[s.flag.slice(2)];
    if (flag !== undefined) raw[key] = flag;
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '') as keyof typeof CONFIG_SOURCES;
      const src = CONFIG_SOURCES[key];
      const name = src ? `${src.env} (${src.flag})` : key;
      return `  ${name}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
