/** Building blocks of the step detail. Every value is rendered as React text, never as HTML. */
import { createContext, type ReactNode, useContext, useMemo, useState } from 'react';
import { Marked } from '../findings/EvidenceMarks';
import { prettyJson } from '../lib/json-text';
import { parseJsonTree } from '../lib/json-tree';
import { JsonTreeView } from '../replay/JsonTreeView';

/** When true, fields without a value are listed too (as "—"), to show what was not captured. */
export const ShowEmptyContext = createContext(false);

export function isEmptyValue(value: ReactNode): boolean {
  return value === '' || value === null || value === undefined || (Array.isArray(value) && value.length === 0);
}

export function Section({ title, testId, children }: { title: string; testId?: string; children: ReactNode }) {
  return (
    <section className="detail-section" data-testid={testId}>
      <h3>{title}</h3>
      <dl className="fields">{children}</dl>
    </section>
  );
}

interface FieldProps {
  label: string;
  /** The attribute it comes from, shown on hover so an investigator can find it in the raw table. */
  attr?: string;
  mono?: boolean;
  testId?: string;
  children: ReactNode;
}

export function Field({ label, attr, mono, testId, children }: FieldProps) {
  const showEmpty = useContext(ShowEmptyContext);
  const empty = isEmptyValue(children);
  if (empty && !showEmpty) return null;
  return (
    <>
      <dt title={attr}>{label}</dt>
      <dd className={mono ? 'mono' : undefined} data-testid={testId}>
        {empty ? (
          <span className="muted">—</span>
        ) : typeof children === 'string' ? (
          <Marked text={children} />
        ) : (
          children
        )}
      </dd>
    </>
  );
}

/** A JSON (or not) payload, pretty-printed when it parses; the raw text otherwise. */
export function Payload({
  label,
  attr,
  text,
  testId,
}: {
  label: string;
  attr?: string;
  text: string;
  testId?: string;
}) {
  const showEmpty = useContext(ShowEmptyContext);
  const pretty = useMemo(() => prettyJson(text), [text]);
  const [wrap, setWrap] = useState(true);
  const [asTree, setAsTree] = useState(false);
  const tree = useMemo(
    () => (asTree && pretty.kind === 'json' ? parseJsonTree(text) : null),
    [asTree, pretty.kind, text],
  );
  if (pretty.kind === 'empty' && !showEmpty) return null;
  return (
    <>
      <dt title={attr}>{label}</dt>
      <dd data-testid={testId}>
        {pretty.kind === 'empty' ? (
          <span className="muted">—</span>
        ) : (
          <div className="payload-box">
            <div className="payload-meta muted small">
              <span>{pretty.kind === 'json' ? 'JSON' : 'text'}</span>
              <span>{text.length.toLocaleString('en-US')} chars</span>
              <button type="button" className="link-button" onClick={() => setWrap((w) => !w)}>
                {wrap ? 'no wrap' : 'wrap'}
              </button>
              {pretty.kind === 'json' && (
                <button
                  type="button"
                  className="link-button"
                  data-testid="json-tree-toggle"
                  onClick={() => setAsTree((t) => !t)}
                >
                  {asTree ? 'text' : 'tree'}
                </button>
              )}
            </div>
            {tree !== null ? (
              <JsonTreeView node={tree} />
            ) : (
              <pre className={`payload${wrap ? ' wrap' : ''}`}>
                <Marked text={pretty.text} />
              </pre>
            )}
          </div>
        )}
      </dd>
    </>
  );
}

/** A key/value table for raw attributes, resource attributes and event attributes. */
export function KvTable({ entries, testId }: { entries: [string, string][]; testId?: string }) {
  if (entries.length === 0) return <p className="muted small">none</p>;
  return (
    <table className="kv" data-testid={testId}>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k}>
            <th className="mono">{k}</th>
            <td className="mono">
              <Marked text={v} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
