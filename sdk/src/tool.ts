import { randomBytes } from 'node:crypto';
import { actionHash } from './action-hash.js';
import { ATTR, OPERATION, STEP_KIND, type ToolRiskValue } from './attributes.js';
import { canonicalJson, safeJson, truncate } from './json.js';
import { resolveSecrets, type SecretResolver } from './secrets.js';
import { compact, runInSpan } from './span-runner.js';
import { getState } from './state.js';

export const MAX_TOOL_JSON_CHARS = 16_384;

export interface ToolCallOptions<A> {
  name: string;
  /** Recorded as canonical JSON; put credentials in as `secretRef(id)`, never as values. */
  arguments: A;
  /** What the call can do: `read` data, `write` state, reach an `external` party, or do something `irreversible`. */
  risk: ToolRiskValue;
  /** The model's tool-call ID; one is generated when absent. */
  callId?: string;
  /** The approval this call executes under; its action hash must equal this call's. */
  approvalId?: string;
  /** Resolves `secretRef` arguments for this call; defaults to `secrets` from `initCasefile`. */
  secrets?: SecretResolver;
  description?: string;
}

/**
 * A tool execution `execute_tool <name>`. `fn` receives the arguments with secret references
 * resolved; the span only ever holds the references. The result is recorded as untrusted content.
 */
export function toolCall<A, R>(options: ToolCallOptions<A>, fn: (args: A) => R | Promise<R>): Promise<R> {
  const o = options ?? ({} as ToolCallOptions<A>);
  const callId = o.callId ?? `call_${randomBytes(8).toString('hex')}`;
  let hash: string | undefined;
  let argsJson: string | undefined;
  try {
    hash = actionHash(o.name, o.arguments);
    argsJson = truncate(canonicalJson(o.arguments ?? null), MAX_TOOL_JSON_CHARS);
  } catch (error) {
    getState().onError(error instanceof Error ? error : new Error(String(error)));
  }
  return runInSpan(
    {
      name: `${OPERATION.EXECUTE_TOOL} ${o.name}`,
      stepKind: STEP_KIND.TOOL,
      attributes: compact({
        [ATTR.OPERATION_NAME]: OPERATION.EXECUTE_TOOL,
        [ATTR.TOOL_NAME]: o.name,
        [ATTR.TOOL_CALL_ID]: callId,
        [ATTR.TOOL_CALL_ARGUMENTS]: argsJson,
        [ATTR.TOOL_RISK]: o.risk,
        [ATTR.ACTION_HASH]: hash,
        [ATTR.APPROVAL_ID]: o.approvalId,
        // The tool's output comes from outside the agent: whoever controls it can steer the next step.
        [ATTR.CONTENT_TRUST]: 'untrusted',
        'gen_ai.tool.description': o.description,
      }),
    },
    async () => {
      const resolved = await resolveSecrets(o.arguments, o.secrets ?? getState().secrets);
      return fn(resolved);
    },
    (span, result) => {
      if (result !== undefined) {
        span.setAttribute(ATTR.TOOL_CALL_RESULT, truncate(safeJson(result), MAX_TOOL_JSON_CHARS));
      }
    },
  );
}
