import type { Attributes } from '@opentelemetry/api';
import { ATTR, OPERATION, STEP_KIND } from './attributes.js';
import { stringify, truncate } from './json.js';
import { compact, currentRunScope, runInSpan } from './span-runner.js';
import { getState } from './state.js';

/** Results and inputs are kept whole up to this size; the redactor applies its own limit after. */
export const MAX_TEXT_CHARS = 8192;

export interface RunOptions {
  /** What the user asked; stored redacted as `casefile.run.input`. */
  input?: unknown;
  promptVersion?: string;
  policyVersion?: string;
  conversationId?: string;
  /** Overrides the agent given to `initCasefile` for this run. */
  agent?: { name: string; version?: string };
  attributes?: Attributes;
}

export interface RunInfo {
  /** 32 hex characters: the ID to look the run up by in Casefile. */
  traceId: string;
  spanId: string;
}

/**
 * One agent invocation: the root span `invoke_agent <agent name>` of a new trace (or a child of an
 * enclosing run, for sub-agents). What `fn` returns is recorded as `casefile.action.result`.
 */
export function run<T>(name: string, options: RunOptions, fn: (info: RunInfo) => T | Promise<T>): Promise<T> {
  const opts = options ?? {};
  const agent = { ...getState().agent, ...opts.agent };
  const nested = currentRunScope() !== undefined;
  return runInSpan(
    {
      name: `${OPERATION.INVOKE_AGENT} ${agent.name}`,
      stepKind: STEP_KIND.AGENT,
      root: !nested,
      scope: {
        promptVersion: opts.promptVersion,
        policyVersion: opts.policyVersion,
        conversationId: opts.conversationId,
      },
      attributes: compact({
        ...opts.attributes,
        [ATTR.OPERATION_NAME]: OPERATION.INVOKE_AGENT,
        [ATTR.AGENT_NAME]: agent.name,
        [ATTR.AGENT_VERSION]: agent.version || undefined,
        [ATTR.RUN_NAME]: name,
        [ATTR.CONVERSATION_ID]: opts.conversationId,
        [ATTR.RUN_INPUT]: opts.input === undefined ? undefined : truncate(stringify(opts.input), MAX_TEXT_CHARS),
        [ATTR.PROMPT_VERSION]: opts.promptVersion,
        [ATTR.POLICY_VERSION]: opts.policyVersion,
      }),
    },
    (span) => {
      const sc = span.spanContext();
      return fn({ traceId: sc.traceId, spanId: sc.spanId });
    },
    (span, result) => {
      if (result !== undefined) span.setAttribute(ATTR.ACTION_RESULT, truncate(stringify(result), MAX_TEXT_CHARS));
    },
  );
}
