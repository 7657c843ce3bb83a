#!/usr/bin/env node
import { resolve } from 'node:path';
import { CONFIG_FLAGS, CONFIG_SOURCES, type Config, ConfigError, configFromFlags } from './config/config.js';
import { HELP_FLAG, parseFlags, UsageError } from './config/flags.js';

const SERVE_HELP = `Usage: casefile serve [options]

Runs the collector: OTLP/HTTP receiver, query API and UI. Each option is also an environment variable;
a flag wins over its variable.

Options:
${Object.values(CONFIG_SOURCES)
  .map((s) => `  ${`${s.flag} <value>`.padEnd(42)} ${s.env}`)
  .join('\n')}
  -h, --help                                 show this help
`;

const DEMO_HELP = `Usage: casefile demo [options]

Sends demo agent runs (everyday support tasks and four incidents) to a running collector, some of them
backdated over the past days so that Overview and Drift have history.

Options:
  --endpoint <url>   Collector URL (CASEFILE_ENDPOINT; else http://localhost:$CASEFILE_PORT; else the
                     collector running on the data dir; else http://localhost:4318)
  --data-dir <dir>   The collector's data dir (CASEFILE_DATA_DIR, default ./.casefile): where the demo
                     finds the running collector and its ingest key
  --api-key <key>    Ingest key (CASEFILE_API_KEY, default: <data dir>/initial-credentials.json)
  --runs <n>         Number of normal runs to send besides the incidents (default 20)
  --history-days <n> Days of backdated history to send before today's runs (default 3, 0 = none)
  -h, --help         show this help
`;

const USAGE = `Usage: casefile <command> [options]

Commands:
  serve              Run the collector (OTLP/HTTP receiver, query API and UI). Default command.
  demo               Send demo agent runs to a running collector.
  redact             Redact secrets and personal data from stdin to stdout (--json: findings).
  verify [file]      Verify an exported case file offline, or the store against its hash chain.
  help [command]     Show this help, or a command's.

\`casefile <command> --help\` lists the command's options.
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
    case 'verify': {
      const { verifyCommand } = await import('./cli/verify-command.js');
      return verifyCommand(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
    }
    case 'help':
    case '--help':
    case '-h':
      return helpCommand(rest);
    default:
      process.stderr.write(`casefile: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

async function helpCommand(args: string[]): Promise<number> {
  const [topic, ...extra] = args;
  if (topic === undefined) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (extra.length === 0 && (topic === 'serve' || topic === 'demo' || topic === 'redact' || topic === 'verify'))
    return main([topic, '--help']);
  process.stderr.write(`casefile help: unknown command "${args.join(' ')}"\n\n${USAGE}`);
  return 2;
}

/** Flags through parseFlags; a usage error is printed with the command's name and help. */
function flagsOr<T>(command: string, help: string, parse: () => T): T | number {
  try {
    return parse();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`casefile ${command}: ${err.message}\n\n${help}`);
    return 2;
  }
}

async function serveCommand(args: string[]): Promise<number> {
  const flags = flagsOr('serve', SERVE_HELP, () => parseFlags(args, { ...CONFIG_FLAGS, help: HELP_FLAG }));
  if (typeof flags === 'number') return flags;
  if (flags.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const { help: _, ...settings } = flags;
  let config: Config;
  try {
    config = configFromFlags(process.env, settings as Record<string, string | undefined>);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`casefile serve: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const { startCollector } = await import('./server.js');
  const { StartupError } = await import('./startup/startup-error.js');
  let collector: Awaited<ReturnType<typeof startCollector>>;
  try {
    collector = await startCollector(config);
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    process.stderr.write(`casefile serve: cannot start: ${err.message}\n`);
    return 1;
  }
  await new Promise<void>((done) => {
    const stop = () => {
      process.stdout.write('Shutting down: flushing buffered spans…\n');
      // Whatever happens inside, the process leaves within the budget (what was not detected stays pending).
      setTimeout(() => {
        process.stderr.write(`shutdown did not finish within ${config.shutdownTimeoutMs} ms; exiting\n`);
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
      collector.close(Math.max(1000, config.shutdownTimeoutMs - 1000)).then(done, (err) => {
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
  const opts = flagsOr('demo', DEMO_HELP, () =>
    parseFlags(args, {
      endpoint: { type: 'string' },
      'api-key': { type: 'string' },
      'data-dir': { type: 'string' },
      runs: { type: 'string' },
      'history-days': { type: 'string' },
      help: HELP_FLAG,
    }),
  );
  if (typeof opts === 'number') return opts;
  if (opts.help) {
    process.stdout.write(DEMO_HELP);
    return 0;
  }
  const { readInitialCredentials } = await import('./demo/credentials.js');
  const { findCollector } = await import('./demo/find-collector.js');
  const dataDir = resolve(opts['data-dir'] ?? process.env.CASEFILE_DATA_DIR ?? './.casefile');
  const target = await findCollector(opts.endpoint, process.env, dataDir);
  const endpoint = target.endpoint;
  const apiKey = opts['api-key'] ?? process.env.CASEFILE_API_KEY ?? (await readInitialCredentials(dataDir))?.ingestKey;
  if (!apiKey) {
    process.stderr.write(
      `casefile demo: no ingest key: pass --api-key or set CASEFILE_API_KEY, or --data-dir for the collector's data dir (no ${dataDir}/initial-credentials.json found)\n`,
    );
    return 2;
  }
  const runs = opts.runs === undefined ? undefined : Number(opts.runs);
  if (runs !== undefined && (opts.runs === '' || !Number.isInteger(runs) || runs < 0 || runs > 10_000)) {
    process.stderr.write('casefile demo: --runs must be an integer from 0 to 10000\n');
    return 2;
  }
  const historyDays = opts['history-days'] === undefined ? undefined : Number(opts['history-days']);
  if (
    historyDays !== undefined &&
    (opts['history-days'] === '' || !Number.isInteger(historyDays) || historyDays < 0 || historyDays > 30)
  ) {
    process.stderr.write('casefile demo: --history-days must be an integer from 0 to 30\n');
    return 2;
  }
  const { describeSentRun, runDemo } = await import('./demo/run-demo.js');
  const { createLogger } = await import('./log/logger.js');
  const { CollectorUnreachableError } = await import('./demo/preflight.js');
  let result: Awaited<ReturnType<typeof runDemo>>;
  try {
    result = await runDemo({
      endpoint,
      apiKey,
      ...(runs === undefined ? {} : { runs }),
      historyDays: historyDays ?? 3,
      onRun: (sent) => process.stdout.write(`${describeSentRun(sent)}\n`),
      log: createLogger({ destination: process.stderr }),
    });
  } catch (err) {
    if (!(err instanceof CollectorUnreachableError)) throw err;
    process.stderr.write(
      `casefile demo: ${err.message} (the URL came from ${target.source}).\n` +
        '  Start it with `npm start`, or tell the demo where it is: --endpoint http://localhost:<port>,\n' +
        '  or run the demo with the same CASEFILE_PORT or --data-dir as the collector.\n',
    );
    return 1;
  }
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
