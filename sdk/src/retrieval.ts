import { SpanKind } from '@opentelemetry/api';
import { ATTR, type ContentTrust, OPERATION, STEP_KIND } from './attributes.js';
import { safeJson, truncate } from './json.js';
import { compact, runInSpan } from './span-runner.js';

/** Per-document cap on recorded content; enough for detectors to see injected instructions. */
export const MAX_DOCUMENT_CHARS = 4000;

export interface RetrievalOptions {
  /** `gen_ai.data_source.id`, e.g. the index or knowledge-base name. */
  dataSource: string;
  query: string;
  /** Retrieved text is `untrusted` unless you say otherwise: anyone who can write a document can steer the agent. */
  trust?: ContentTrust;
  topK?: number;
  /** Record document text as `casefile.retrieval.content` (redacted). Default true. */
  recordContent?: boolean;
}

export interface RetrievedDocument {
  id: string;
  score: number;
  content?: string;
}

/** A retrieval step `retrieval <data source>`; returns the documents to the agent unchanged. */
export function retrieval<D extends RetrievedDocument>(
  options: RetrievalOptions,
  fn: () => readonly D[] | Promise<readonly D[]>,
): Promise<readonly D[]> {
  const o = options ?? ({} as RetrievalOptions);
  return runInSpan(
    {
      name: `${OPERATION.RETRIEVAL} ${o.dataSource}`,
      stepKind: STEP_KIND.RETRIEVAL,
      spanKind: SpanKind.CLIENT,
      attributes: compact({
        [ATTR.OPERATION_NAME]: OPERATION.RETRIEVAL,
        [ATTR.DATA_SOURCE_ID]: o.dataSource,
        [ATTR.RETRIEVAL_QUERY_TEXT]: o.query,
        [ATTR.REQUEST_TOP_K]: o.topK,
        [ATTR.CONTENT_TRUST]: o.trust ?? 'untrusted',
      }),
    },
    () => fn(),
    (span, docs) => {
      if (!Array.isArray(docs)) return;
      const list = docs as readonly D[];
      span.setAttributes({
        [ATTR.RETRIEVAL_DOCUMENTS]: safeJson(list.map((d) => ({ id: String(d.id), score: d.score }))),
        [ATTR.RETRIEVAL_DOCUMENT_IDS]: list.map((d) => String(d.id)),
      });
      const withContent = list.filter((d) => typeof d.content === 'string');
      if ((o.recordContent ?? true) && withContent.length > 0) {
        span.setAttribute(
          ATTR.RETRIEVAL_CONTENT,
          safeJson(
            withContent.map((d) => ({ id: String(d.id), content: truncate(d.content ?? '', MAX_DOCUMENT_CHARS) })),
          ),
        );
      }
    },
  );
}
