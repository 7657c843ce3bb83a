import type { Dialect, SpanView } from '../dialect.js';
import { hasKeyWithPrefix } from '../dialect.js';

/**
 * The Casefile SDK: GenAI semconv plus `casefile.*`, which the base mapping reads as they are. Also
 * any instrumentation that sets `casefile.*` attributes next to its own (they win there too).
 */
export const casefile: Dialect = {
  id: 'casefile',
  detect: (v: SpanView) => {
    for (const k in v.attrs) if (k.startsWith('casefile.') && !k.startsWith('casefile.normalize.')) return true;
    return false;
  },
  apply() {},
};

/** Plain OpenTelemetry GenAI semantic conventions (current and deprecated names): the base mapping. */
export const genAi: Dialect = {
  id: 'genai',
  detect: (v: SpanView) => hasKeyWithPrefix(v.attrs, 'gen_ai.'),
  apply() {},
};
