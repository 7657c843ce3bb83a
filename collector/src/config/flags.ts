import { parseArgs } from 'node:util';

/** One flag: a switch (`boolean`) or a flag with a value (`string`), maybe with a one-letter alias. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
}

/** `-h` / `--help`, which every command takes. */
export const HELP_FLAG = { type: 'boolean', short: 'h' } as const satisfies FlagSpec;

/** What `parseFlags` returns: the flags given, by long name. */
export type FlagValues<O extends Record<string, FlagSpec>> = {
  [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string;
};

/** A command line a command cannot run with; the message names the flag or argument at fault. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * `node:util` parseArgs, strict and without positionals: `--flag value`, `--flag=value`, boolean
 * switches, the last of a repeated flag wins. Its errors come back as UsageError in the CLI's words
 * ("unknown flag --prot", "flag --port needs a value").
 */
export function parseFlags<const O extends Record<string, FlagSpec>>(
  args: readonly string[],
  options: O,
): FlagValues<O> {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values as FlagValues<O>;
  } catch (err) {
    throw new UsageError(describeParseError(err));
  }
}

function describeParseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  const quoted = /'([^']*)'/.exec(message)?.[1]?.replace(/ <value>$/, '') ?? '';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `unknown flag ${quoted}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${quoted}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/does not take an argument/.test(message)) return `flag ${quoted} takes no value`;
    if (/ambiguous/.test(message))
      return `flag ${quoted} needs a value (${quoted}=<value> for one that starts with "-")`;
    return `flag ${quoted} needs a value`;
  }
  return message;
}
