import type { Context } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR } from './attributes.js';
import type { ErrorHandler } from './errors.js';

const STEP_SEQ = ATTR.STEP_SEQ;

let lastSeq = 0;

/**
 * Stamps `casefile.step.seq` on every span as it starts (ours and other instrumentations'): a counter
 * that only grows within the process. Span start times are often whole milliseconds, so a parent and
 * its child, or a check and the call it allowed, tie; the sequence tells Casefile which came first.
 */
export function createSequenceProcessor(inner: SpanProcessor): SpanProcessor {
  return {
    onStart(span: Span, parentContext: Context) {
      lastSeq += 1;
      span.setAttribute(STEP_SEQ, lastSeq);
      inner.onStart(span, parentContext);
    },
    onEnd(span: ReadableSpan) {
      inner.onEnd(span);
    },
    forceFlush: () => inner.forceFlush(),
    shutdown: () => inner.shutdown(),
  };
}

/** Hands every span to each processor in turn; used behind the redactor so all of them see redacted spans. */
export function createFanOutProcessor(processors: readonly SpanProcessor[]): SpanProcessor {
  return {
    onStart(span: Span, parentContext: Context) {
      for (const p of processors) p.onStart(span, parentContext);
    },
    onEnd(span: ReadableSpan) {
      for (const p of processors) p.onEnd(span);
    },
    async forceFlush() {
      await Promise.all(processors.map((p) => p.forceFlush()));
    },
    async shutdown() {
      await Promise.all(processors.map((p) => p.shutdown()));
    },
  };
}

/**
 * The outermost processor: span start and end run on the agent's call stack, so a fault in any
 * processor (or a failed flush) is handed to the error handler instead of being thrown there.
 */
export function createGuardedProcessor(inner: SpanProcessor, onError: ErrorHandler): SpanProcessor {
  const report = (error: unknown) => onError(error instanceof Error ? error : new Error(String(error)));
  return {
    onStart(span, parentContext) {
      try {
        inner.onStart(span, parentContext);
      } catch (error) {
        report(error);
      }
    },
    onEnd(span) {
      try {
        inner.onEnd(span);
      } catch (error) {
        report(error);
      }
    },
    async forceFlush() {
      try {
        await inner.forceFlush();
      } catch (error) {
        report(error);
      }
    },
    async shutdown() {
      try {
        await inner.shutdown();
      } catch (error) {
        report(error);
      }
    },
  };
}

/**
 * An exporter that throws instead of reporting failure would leave the batch processor waiting for
 * its timeout and leak an unhandled rejection; this turns a throw into a FAILED result.
 */
export function createSafeExporter(inner: SpanExporter): SpanExporter {
  return {
    export(spans, resultCallback) {
      try {
        inner.export(spans, resultCallback);
      } catch (error) {
        resultCallback({
          code: ExportResultCode.FAILED,
          error: error instanceof Error ? error : new Error(String(error)),
        });
      }
    },
    async shutdown() {
      await inner.shutdown();
    },
    async forceFlush() {
      await inner.forceFlush?.();
    },
  };
}
