import type { Attributes, Context, Link } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor, TimedEvent } from '@opentelemetry/sdk-trace-base';
import type { RedactionOptions, Redactor } from './redact/index.js';
import { createRedactor, REDACTION_ERROR_TOKEN, REDACTION_VERSION } from './redact/index.js';

const COUNT = 'casefile.redaction.count';
const RULES = 'casefile.redaction.rules';
const VERSION = 'casefile.redaction.version';

class Tally {
  count = 0;
  readonly rules = new Set<string>();
  add(r: { count: number; rules: string[] }): void {
    this.count += r.count;
    for (const rule of r.rules) this.rules.add(rule);
  }
}

/**
 * Redacts every finished span (ours and other instrumentations') before the downstream processor
 * sees it: name, status message, all attributes, all event and link attributes. The downstream
 * processor receives a redacted copy; the original span object is left untouched.
 */
export class RedactingSpanProcessor implements SpanProcessor {
  private readonly redactor: Redactor;

  constructor(
    private readonly next: SpanProcessor,
    options: RedactionOptions,
  ) {
    this.redactor = createRedactor(options);
  }

  onStart(span: Span, parentContext: Context): void {
    try {
      this.next.onStart(span, parentContext);
    } catch {
      // The host application must never see a processor fault.
    }
  }

  onEnd(span: ReadableSpan): void {
    let redacted: ReadableSpan | undefined;
    try {
      redacted = this.redactSpan(span);
    } catch {
      redacted = failClosed(span);
    }
    try {
      if (redacted !== undefined) this.next.onEnd(redacted);
    } catch {
      // Swallowed for the same reason as in onStart.
    }
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush().catch(() => undefined);
  }

  shutdown(): Promise<void> {
    return this.next.shutdown().catch(() => undefined);
  }

  private redactSpan(span: ReadableSpan): ReadableSpan {
    const tally = new Tally();
    const text = (s: string): string => {
      const r = this.redactor.redactString(s);
      tally.add(r);
      return r.text;
    };
    const attrs = (a: Attributes): Attributes => {
      const r = this.redactor.redactAttributes(a);
      tally.add(r);
      return r.attributes as Attributes;
    };
    const name = text(span.name);
    const status =
      span.status.message === undefined ? span.status : { ...span.status, message: text(span.status.message) };
    const events: TimedEvent[] = span.events.map((e) => ({
      ...e,
      name: text(e.name),
      ...(e.attributes === undefined ? {} : { attributes: attrs(e.attributes) }),
    }));
    const links: Link[] = span.links.map((l) =>
      l.attributes === undefined ? l : { ...l, attributes: attrs(l.attributes) },
    );
    const attributes = attrs(span.attributes);
    attributes[COUNT] = tally.count;
    attributes[RULES] = [...tally.rules].sort();
    attributes[VERSION] = this.redactor.version;
    return copySpan(span, { name, status, events, links, attributes });
  }
}

type Overrides = Pick<ReadableSpan, 'name' | 'status' | 'events' | 'links' | 'attributes'>;

function copySpan(span: ReadableSpan, o: Overrides): ReadableSpan {
  return {
    name: o.name,
    kind: span.kind,
    spanContext: () => span.spanContext(),
    parentSpanContext: span.parentSpanContext,
    startTime: span.startTime,
    endTime: span.endTime,
    status: o.status,
    attributes: o.attributes,
    links: o.links,
    events: o.events,
    duration: span.duration,
    ended: span.ended,
    resource: span.resource,
    instrumentationScope: span.instrumentationScope,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** Keeps the span's shape and timing but none of its text, so a fault never exports raw data. */
function failClosed(span: ReadableSpan): ReadableSpan | undefined {
  try {
    return copySpan(span, {
      name: REDACTION_ERROR_TOKEN,
      status: { code: span.status.code },
      events: [],
      links: [],
      attributes: { [COUNT]: 1, [RULES]: ['redaction-error'], [VERSION]: REDACTION_VERSION },
    });
  } catch {
    return undefined;
  }
}
