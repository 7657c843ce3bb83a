import { ATTR, STEP_KIND } from './attributes.js';
import { stringify, truncate } from './json.js';
import { MAX_TEXT_CHARS } from './run.js';
import { compact, currentRunScope, runInSpan } from './span-runner.js';

export interface PolicyCheckOptions {
  /** The policy or rule set evaluated, e.g. `refund-limits`. */
  policy: string;
  /** Defaults to the enclosing run's policy version. */
  version?: string;
  /** What was evaluated; recorded redacted. */
  input?: unknown;
}

/** `allow`, `deny`, or any decision your policy engine returns (`review`, `redact`, …). */
export type PolicyOutcome = string | { decision: string; reason?: string };

/** A policy evaluation `policy <name>`; `fn` returns the decision, which is recorded and passed back. */
export function policyCheck<D extends PolicyOutcome>(
  options: PolicyCheckOptions,
  fn: () => D | Promise<D>,
): Promise<D> {
  const o = options ?? ({} as PolicyCheckOptions);
  return runInSpan(
    {
      name: `policy ${o.policy}`,
      stepKind: STEP_KIND.POLICY,
      attributes: compact({
        [ATTR.POLICY_NAME]: o.policy,
        [ATTR.POLICY_VERSION]: o.version ?? currentRunScope()?.policyVersion,
        [ATTR.POLICY_INPUT]: o.input === undefined ? undefined : truncate(stringify(o.input), MAX_TEXT_CHARS),
      }),
    },
    () => fn(),
    (span, outcome) => {
      const decision = typeof outcome === 'string' ? outcome : outcome?.decision;
      const reason = typeof outcome === 'object' ? outcome?.reason : undefined;
      span.setAttributes(compact({ [ATTR.POLICY_DECISION]: decision, [ATTR.POLICY_REASON]: reason }));
    },
  );
}
