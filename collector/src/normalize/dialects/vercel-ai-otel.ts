import type { Step } from '../../model/step.js';
import type { Dialect, SpanView } from '../dialect.js';
import { hasKeyWithPrefix } from '../dialect.js';
import { documentsJson } from '../documents.js';
import { rerankDocuments, sessionFromPrefix } from './vercel-ai.js';

/**
 * Vercel AI SDK 7 through `@ai-sdk/otel`: GenAI semconv spans (`invoke_agent` > `agent_step` >
 * `chat` / `execute_tool`, `rerank`, `embeddings`) plus supplemental `ai.*` attributes: runtime
 * context as `ai.settings.context.<key>` (the session) and reranked documents in `ai.documents`.
 * The GenAI base mapping does the rest; `invoke_agent` repeats its calls' tokens, which the
 * common agent rule leaves uncounted.
 */
export const vercelAiOtel: Dialect = {
  id: 'vercel-ai-otel',
  detect: (v: SpanView) => {
    const op = v.attrs['gen_ai.operation.name'];
    return (
      op === 'agent_step' ||
      (op !== undefined && (hasKeyWithPrefix(v.attrs, 'ai.settings.') || 'ai.documents' in v.attrs))
    );
  },
  apply(v: SpanView, step: Step) {
    step.conversationId ||= sessionFromPrefix(v.attrs, 'ai.settings.context.');
    if (v.attrs['gen_ai.operation.name'] === 'rerank') {
      const docs = rerankDocuments(v.attrs);
      if (docs.length > 0) {
        step.documents = documentsJson(docs);
        step.documentIds = docs.map((d) => d.id);
      }
    }
  },
};
