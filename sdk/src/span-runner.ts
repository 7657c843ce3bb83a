import {
  type Attributes,
  type AttributeValue,
  type Context,
  context,
  createContextKey,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { ATTR, type StepKindValue } from './attributes.js';
import { safely } from './state.js';
import { SDK_NAME, SDK_VERSION } from './version.js';

/** Run-level values the child steps inherit (prompt version on model calls, policy version on checks). */
export interface RunScope {
  promptVersion?: string;
  policyVersion?: string;
  conversationId?: string;
}

const RUN_SCOPE = createContextKey('casefile.run.scope');

export function currentRunScope(ctx: Context = context.active()): RunScope | undefined {
  return ctx.getValue(RUN_SCOPE) as RunScope | undefined;
}

export interface StepSpec {
  name: string;
  stepKind: StepKindValue;
  spanKind?: SpanKind;
  attributes: Attributes;
  /** Start a new trace instead of nesting under the active span. */
  root?: boolean;
  /** Scope for children of this step. */
  scope?: RunScope;
}

/** `error.type`: the exception class, or the OTel fallback `_OTHER` for thrown non-errors. */
export function errorType(error: unknown): string {
  if (error instanceof Error) {
    const ctor = error.constructor?.name;
    return error.name && error.name !== 'Error' ? error.name : ctor || 'Error';
  }
  return '_OTHER';
}

export function recordError(span: Span, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  span.recordException(error instanceof Error ? error : { name: '_OTHER', message });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttribute(ATTR.ERROR_TYPE, errorType(error));
}

/**
 * Runs `fn` inside a span: duration, result (through `onResult`) and errors are recorded, and the
 * agent's own error is rethrown unchanged. Anything the SDK itself gets wrong while recording goes
 * to the error handler, so instrumentation can never change what the agent sees.
 */
export async function runInSpan<T>(
  spec: StepSpec,
  fn: (span: Span) => T | Promise<T>,
  onResult?: (span: Span, result: T) => void,
): Promise<T> {
  const tracer = trace.getTracer(SDK_NAME, SDK_VERSION);
  const attributes: Attributes = { ...spec.attributes, [ATTR.STEP_KIND]: spec.stepKind };
  let ctx = context.active();
  if (spec.scope) ctx = ctx.setValue(RUN_SCOPE, { ...currentRunScope(ctx), ...spec.scope });
  // A run started inside someone else's span (an HTTP request, a queue job) gets its own trace,
  // linked back to that span so the two can still be joined.
  const outer = spec.root ? trace.getSpanContext(ctx) : undefined;
  const links = outer && trace.isSpanContextValid(outer) ? [{ context: outer }] : undefined;
  return tracer.startActiveSpan(
    spec.name,
    { kind: spec.spanKind ?? SpanKind.INTERNAL, attributes, root: spec.root ?? false, links },
    ctx,
    async (span) => {
      try {
        const result = await fn(span);
        if (onResult) safely(() => onResult(span, result));
        return result;
      } catch (error) {
        safely(() => recordError(span, error));
        throw error;
      } finally {
        safely(() => span.end());
      }
    },
  );
}

/** Sets attributes built by `build`; a fault while building drops them instead of reaching the agent. */
export function setAttributesSafely(span: Span, build: () => Attributes): void {
  safely(() => span.setAttributes(build()));
}

/** Drops undefined values so the span carries only what was given. */
export function compact(attrs: Record<string, AttributeValue | undefined>): Attributes {
  const out: Attributes = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) out[k] = v;
  return out;
}
