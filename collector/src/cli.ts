#!/usr/bin/env node
import { resolve } from 'node:path';
import { CONFIG_SOURCES, ConfigError, loadConfig } from './config/config.js';

const USAGE = `Usage: casefile <command> [options]

Commands:
  serve              Run the collector (OTLP/HTTP receiver, query API and UI). Default command.
  demo               Send demo agent runs to a running collector.
  redact             Redact secrets and personal data from stdin to stdout (--json: findings).
  help               Show this help.

serve options (each also an environment variable):
${Object.values(CONFIG_SOURCES)
  .map((s) => `  ${s.flag.padEnd(26)} ${s.env}`)
  .join('\n')}

demo options:
  --endpoint <url>           Collector URL (CASEFILE_ENDPOINT, default http://localhost:4318)
  --api-key <key>            Ingest key (CASEFILE_API_KEY, default: <data dir>/initial-credentials.json)
  --runs <n>                 Number of normal runs to send besides the incidents (default 20)
`;

async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  switch (command) {
    case 'serve':
      return serveCommand(rest);
    case 'demo':
      return demoCommand(rest);
    case 'redact': {
      const { redactCommand } = await import('./cli/redact-command.js');
      return redactCommand(rest, process.stdin, process.stdout);
    }
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`casefile: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

async function serveCommand(args: string[]): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env, args);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`casefile serve: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const { startCollector } = await import('./server.js');
  const collector = await startCollector(config);
  await new Promise<void>((done) => {
    const stop = () => {
      process.stdout.write('Shutting down: flushing buffered spans…\n');
      collector.close().then(done, (err) => {
        process.stderr.write(`error while shutting down: ${String(err)}\n`);
        done();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

async function demoCommand(args: string[]): Promise<number> {
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = (args[i] as string).split('=', 2) as [string, string | undefined];
    if (!['--endpoint', '--api-key', '--runs'].includes(flag)) {
      process.stderr.write(`casefile demo: unknown flag ${flag}\n`);
      return 2;
    }
    const value = inline ?? args[++i];
    if (value === undefined) {
      process.stderr.write(`casefile demo: flag ${flag} needs a value\n`);
      return 2;
    }
    opts[flag] = value;
  }
  const endpoint = opts['--endpoint'] ?? process.env.CASEFILE_ENDPOINT ?? 'http://localhost:4318';
  const { readInitialCredentials } = await import('./demo/credentials.js');
  const dataDir = resolve(process.env.CASEFILE_DATA_DIR ?? './.casefile');
  const apiKey =
    opts['--api-key'] ?? process.env.CASEFILE_API_KEY ?? (await readInitialCredentials(dataDir))?.ingestKey;
  if (!apiKey) {
    process.stderr.write(
      `casefile demo: no ingest key: pass --api-key or set CASEFILE_API_KEY (no ${dataDir}/initial-credentials.json found)\n`,
    );
    return 2;
  }
  const runs = opts['--runs'] === undefined ? undefined : Number(opts['--runs']);
  if (runs !== undefined && (!Number.isInteger(runs) || runs < 0 || runs > 10_000)) {
    process.stderr.write('casefile demo: --runs must be an integer from 0 to 10000\n');
    return 2;
  }
  const { runDemo } = await import('./demo/run-demo.js');
  const result = await runDemo({
    endpoint,
    apiKey,
    ...(runs === undefined ? {} : { runs }),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(
    `Sent ${result.traceIds.length} runs to ${endpoint}. Open ${endpoint} and log in to replay them.\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    const detail =
      err instanceof Error ? (process.env.CASEFILE_DEBUG ? (err.stack ?? err.message) : err.message) : String(err);
    process.stderr.write(`casefile: ${detail}\n`);
    process.exitCode = 1;
  },
);
