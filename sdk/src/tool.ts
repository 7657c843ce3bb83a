import { randomBytes } from 'node:crypto';
import type { Attributes } from '@opentelemetry/api';
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
  /**
   * The arguments that say where the call goes (`['recipient']`, `['message.to']`): detection judges
   * their values as destinations. Common names (`to`, `recipient`, `channel`, `url`, …) need no declaring.
   */
  destinations?: string[];
  /**
   * Whether the tool's output can carry text someone else wrote (`untrusted`, the default: pages,
   * mail, files, search results) or only data of a system you trust (`trusted`: your own CRM, ledger).
   */
  trust?: 'trusted' | 'untrusted';
  /** Extra span attributes (e.g. `casefile.action.result: 'denied'` for a call a gateway refused). */
  attributes?: Attributes;
}

/**
 * A tool execution `execute_tool <name>`. `fn` receives the arguments with secret references
 * resolved; the span only ever holds the references. The result is recorded as untrusted content
 * unless `trust: 'trusted'` says the tool only returns data of a system you trust.
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
        ...o.attributes,
        [ATTR.OPERATION_NAME]: OPERATION.EXECUTE_TOOL,
        [ATTR.TOOL_NAME]: o.name,
        [ATTR.TOOL_CALL_ID]: callId,
        [ATTR.TOOL_CALL_ARGUMENTS]: argsJson,
        [ATTR.TOOL_RISK]: o.risk,
        [ATTR.ACTION_HASH]: hash,
        [ATTR.APPROVAL_ID]: o.approvalId,
        // The tool's output comes from outside the agent: whoever controls it can steer the next step.
        [ATTR.CONTENT_TRUST]: o.trust === 'trusted' ? 'trusted' : 'untrusted',
        [ATTR.TOOL_DESTINATIONS]:
          Array.isArray(o.destinations) && o.destinations.length > 0 ? o.destinations : undefined,
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
