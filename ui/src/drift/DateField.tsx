import type { KeyboardEvent } from 'react';
import { showInstant } from './drift-url';

/**
 * A field that takes an instant as people type it (ISO 8601, `7d ago`, `now-36h`, `now`; UTC unless a
 * zone is typed), shows it back as a UTC date, and applies it on Enter or when left. The page parses
 * the text (`parseInstant`) and passes back the error to show, if any.
 */
export function DateField(props: {
  label: string;
  testId: string;
  ms: number;
  error: string | undefined;
  onApply: (text: string) => void;
}) {
  const apply = (text: string) => text.trim() !== showInstant(props.ms) && props.onApply(text);
  return (
    <label className="filter">
      {props.label} (UTC)
      <input
        data-testid={props.testId}
        key={props.ms}
        defaultValue={showInstant(props.ms)}
        placeholder="2026-03-02 14:00 or 7d ago"
        aria-invalid={props.error !== undefined}
        onBlur={(e) => apply(e.target.value)}
        onKeyDown={(e: KeyboardEvent<HTMLInputElement>) => e.key === 'Enter' && apply(e.currentTarget.value)}
      />
      {props.error !== undefined && (
        <span className="field-error" role="alert" data-testid={`${props.testId}-error`}>
          {props.error}
        </span>
      )}
    </label>
  );
}
