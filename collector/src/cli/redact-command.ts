import { createRedactor } from '@casefile/sdk/redact';
import { type FlagValues, HELP_FLAG, parseFlags, UsageError } from '../config/flags.js';

/** Used when neither --key nor CASEFILE_REDACTION_KEY is given: tokens are then only locally stable. */
export const DEFAULT_LOCAL_KEY = 'casefile-local-redaction-key';
const MAX_INPUT_BYTES = 64 * 1024 * 1024;
const REDACT_FLAGS = { json: { type: 'boolean' }, key: { type: 'string' }, help: HELP_FLAG } as const;

const HELP = `Usage: casefile redact [--json] [--key <key>]

Reads text or JSON on stdin and writes it with secrets and personal data replaced by
pseudonym tokens such as [email:7f3a9c1b]. JSON input stays valid JSON.

Options:
  --json        print the findings (kind, rule, start, end) as JSON instead of the redacted text
  --key <key>   HMAC key for the pseudonym tokens (default: $CASEFILE_REDACTION_KEY, else the fixed
                local key "${DEFAULT_LOCAL_KEY}", which anyone can use to test guesses against tokens:
                use your project key for anything you share)
  -h, --help    show this help
`;

async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const b = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
    size += b.length;
    if (size > MAX_INPUT_BYTES) throw new Error(`input larger than ${MAX_INPUT_BYTES} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (err) => (err ? reject(err) : resolve())));
}

/** `casefile redact`: returns the process exit code (0 ok, 2 usage error, 1 failure). */
export async function redactCommand(
  args: string[],
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
  errors: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  let flags: FlagValues<typeof REDACT_FLAGS>;
  try {
    flags = parseFlags(args, REDACT_FLAGS);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    await write(errors, `casefile redact: ${err.message}\n\n${HELP}`);
    return 2;
  }
  if (flags.help) {
    await write(output, HELP);
    return 0;
  }
  if (flags.key === '') {
    await write(errors, 'casefile redact: --key needs a value\n');
    return 2;
  }
  const json = flags.json === true;
  const key = flags.key ?? (process.env.CASEFILE_REDACTION_KEY || DEFAULT_LOCAL_KEY);
  try {
    const text = await readAll(input);
    // A file on the command line is redacted whole: no truncation, and a generous time budget.
    const redactor = createRedactor({ key, maxValueLength: Math.max(text.length, 1), maxTimeMsPerValue: 120_000 });
    if (json) {
      await write(output, `${JSON.stringify({ findings: redactor.scan(text) }, null, 2)}\n`);
    } else {
      await write(output, redactor.redactString(text).text);
    }
    return 0;
  } catch (error) {
    await write(errors, `casefile redact: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
