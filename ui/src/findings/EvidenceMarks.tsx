import { createContext, useContext, useMemo } from 'react';
import { markSegments } from './evidence-highlight';

/** The evidence strings of the selected step's findings; fields inside mark where they occur. */
export const EvidenceContext = createContext<readonly string[]>([]);

/**
 * A field's text with the findings' evidence in <mark>. Built from text nodes only: the text is
 * attacker-controlled and never parsed as HTML.
 */
export function Marked({ text }: { text: string }) {
  const needles = useContext(EvidenceContext);
  const segments = useMemo(() => (needles.length === 0 ? null : markSegments(text, needles)), [text, needles]);
  if (segments === null || !segments.some((s) => s.marked)) return <>{text}</>;
  return (
    <>
      {segments.map((s, i) =>
        s.marked ? (
          // Segments are positional and never reorder.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above.
          <mark key={i} className="evidence-mark" data-testid="evidence-mark">
            {s.text}
          </mark>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: see above.
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}
