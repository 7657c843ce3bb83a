/** Thrown once by `initCasefile` when its configuration is invalid; never thrown after start. */
export class CasefileConfigError extends Error {
  override readonly name = 'CasefileConfigError';
  /** One entry per bad value: the option path or environment variable, and what is wrong. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[], options?: { cause?: unknown }) {
    super(`Invalid Casefile configuration:\n  - ${problems.join('\n  - ')}`, options);
    this.problems = problems;
  }
}

/** A tool call used a secret reference and no resolver could supply it. */
export class CasefileSecretError extends Error {
  override readonly name = 'CasefileSecretError';
}

/** Receives every error the SDK swallows after start (export failures, processor faults). */
export type ErrorHandler = (error: Error) => void;

/**
 * The default handler: the first failure is logged with its cause, later ones only counted, so an
 * unreachable collector does not flood the agent's logs.
 */
export function createLogOnceHandler(log: (message: string) => void = (m) => console.warn(m)): ErrorHandler {
  let logged = false;
  return (error) => {
    if (logged) return;
    logged = true;
    log(
      `[casefile] telemetry export failed: ${error.message}. The agent is unaffected; ` +
        'further export errors are not logged (set onError in initCasefile to handle them).',
    );
  };
}

/** Wraps a handler so that a handler that throws cannot reach the agent either. */
export function guardHandler(handler: ErrorHandler): ErrorHandler {
  return (error) => {
    try {
      handler(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // The handler is the last line; there is nowhere else to send its own failure.
    }
  };
}
