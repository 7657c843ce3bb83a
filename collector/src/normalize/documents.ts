import type { StepEvent } from '../model/step.js';
import { gatherIndexed } from './dialects.js';
import { isObj, type Obj, parseJson, str } from './json.js';

/** A retrieved document as stored: `{id, score}` (score null when the SDK sends none). */
export interface DocumentRef {
  id: string;
  score: number | null;
}

const ID_KEYS = ['id', 'document_id', 'documentId', 'doc_id', 'docId', '_id', 'uuid'] as const;
const SCORE_KEYS = ['score', 'relevanceScore', 'relevance_score', 'similarity', '_score'] as const;
const LIST_KEYS = ['documents', 'results', 'matches', 'items', 'hits', 'data'] as const;
export const MAX_DOCUMENTS = 1000;

function idOf(o: Obj): string {
  for (const k of ID_KEYS) {
    const v = o[k];
    if ((typeof v === 'string' && v !== '') || typeof v === 'number') return String(v);
  }
  return '';
}

function scoreOf(o: Obj): number | null {
  for (const k of SCORE_KEYS) {
    const v = o[k];
    const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : Number.NaN;
    if (Number.isFinite(n)) return n;
  }
  return null;
}

/**
 * One document in any of the shapes SDKs use: `{id}` / `{document_id}` …, LangChain's
 * `{pageContent, metadata:{id | source}}`, MLflow's `{page_content, metadata:{doc_uri}}`, a rerank result `{document:{id}, score}`, or a JSON string of
 * one of those (Vercel `ai.documents`). `source` is taken only when nothing names an ID.
 */
export function documentRef(value: unknown): DocumentRef | null {
  let v = value;
  if (typeof v === 'string') v = parseJson(v);
  if (!isObj(v)) return null;
  const inner = isObj(v.document) ? v.document : undefined;
  const meta = isObj(v.metadata) ? v.metadata : isObj(inner?.metadata) ? (inner.metadata as Obj) : undefined;
  const id =
    idOf(v) ||
    (inner ? idOf(inner) : '') ||
    (meta ? idOf(meta) : '') ||
    (meta ? str(meta.source) || str(meta.doc_uri) : '') ||
    str(v.source);
  if (id === '') return null;
  return { id, score: scoreOf(v) ?? (inner ? scoreOf(inner) : null) };
}

/** Documents from a JSON value: a list, or an object holding one under a usual key. */
export function documentsFromValue(value: unknown): DocumentRef[] {
  let list: unknown = value;
  if (typeof list === 'string') list = parseJson(list);
  if (isObj(list)) {
    const key = LIST_KEYS.find((k) => Array.isArray((list as Obj)[k]));
    list = key ? (list as Obj)[key] : [list];
  }
  if (!Array.isArray(list)) return [];
  const out: DocumentRef[] = [];
  for (const item of list.slice(0, MAX_DOCUMENTS)) {
    const ref = documentRef(item);
    if (ref) out.push(ref);
  }
  return out;
}

/** OpenLLMetry vector DB spans: one `db.query.result` event per document. */
export function documentsFromEvents(events: readonly StepEvent[]): DocumentRef[] {
  const out: DocumentRef[] = [];
  for (const e of events) {
    if (e.name !== 'db.query.result' || out.length >= MAX_DOCUMENTS) continue;
    const id = e.attributes['db.query.result.id'] ?? '';
    if (id === '') continue;
    const score = Number(e.attributes['db.query.result.score'] || Number.NaN);
    out.push({ id, score: Number.isFinite(score) ? score : null });
  }
  return out;
}

/** OpenInference `retrieval.documents.N.document.{id,score,metadata}`; the ID may live only in metadata JSON. */
export function documentsFromOpenInference(attrs: Record<string, string>, notes?: string[]): DocumentRef[] {
  const out: DocumentRef[] = [];
  const rows = gatherIndexed(attrs, 'retrieval.documents');
  if (rows.length > MAX_DOCUMENTS) {
    notes?.push(`${rows.length} retrieved documents; the first ${MAX_DOCUMENTS} were read`);
  }
  for (const d of rows.slice(0, MAX_DOCUMENTS)) {
    const metadata = parseJson(d['document.metadata']);
    const ref = documentRef({
      id: d['document.id'] ?? '',
      score: d['document.score'] ?? '',
      metadata: isObj(metadata) ? metadata : undefined,
    });
    if (ref) out.push(ref);
  }
  return out;
}

export function documentsJson(docs: readonly DocumentRef[]): string {
  return docs.length > 0 ? JSON.stringify(docs) : '';
}
