import { useEffect, useMemo, useRef, useState } from 'react';
import { navigate } from '../app/router';
import type { UiStep } from '../lib/model';
import { atEnd, type JumpTarget, jump, stepBy, timeOrder } from './player';

interface Props {
  steps: readonly UiStep[];
  selectedId: string | null;
  findingSpans: ReadonlySet<string>;
  hasFindings: boolean;
  stepHref: (spanId: string) => string;
}

const PLAY_INTERVAL_MS = 700;

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

const JUMP_KEYS: Record<string, JumpTarget> = { t: 'tool', a: 'approval', e: 'error', f: 'finding' };

/** Play/pause and jumps through the run in time order; the selection lives in the URL (`?step=`). */
export function Player({ steps, selectedId, findingSpans, hasFindings, stepHref }: Props) {
  const order = useMemo(() => timeOrder(steps), [steps]);
  const [playing, setPlaying] = useState(false);
  const [help, setHelp] = useState(false);
  // A notice belongs to the step it was given at: any move (keys, buttons, a click in the tree) clears it.
  const [notice, setNotice] = useState<{ text: string; at: string | null }>({ text: '', at: null });
  const go = (spanId: string | null) => {
    if (spanId !== null) navigate(stepHref(spanId), { replace: true });
  };
  // Keyboard handler and the timer read the latest selection without re-subscribing each step.
  const latest = useRef({ order, selectedId, findingSpans, stepHref });
  latest.current = { order, selectedId, findingSpans, stepHref };

  const doJump = (target: JumpTarget, direction: 1 | -1) => {
    const { order: o, selectedId: cur, findingSpans: f } = latest.current;
    const next = jump(o, cur, target, f, direction);
    setNotice({ text: next === null ? `No ${direction === 1 ? 'next' : 'previous'} ${target} step` : '', at: cur });
    go(next);
  };
  const doStep = (delta: 1 | -1) => go(stepBy(latest.current.order, latest.current.selectedId, delta));
  const togglePlay = () => {
    setPlaying((p) => {
      if (!p && atEnd(latest.current.order, latest.current.selectedId)) go(latest.current.order[0]?.spanId ?? null);
      return !p;
    });
  };

  useEffect(() => {
    if (!playing) return;
    const timer = setInterval(() => {
      const { order: o, selectedId: cur } = latest.current;
      if (atEnd(o, cur)) setPlaying(false);
      else go(stepBy(o, cur, 1));
    }, PLAY_INTERVAL_MS);
    return () => clearInterval(timer);
  });

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
      const key = e.key.toLowerCase();
      if (e.key === ' ') togglePlay();
      else if (e.key === 'ArrowRight' || key === 'n') doStep(1);
      else if (e.key === 'ArrowLeft' || key === 'p') doStep(-1);
      else if (key in JUMP_KEYS) doJump(JUMP_KEYS[key]!, e.shiftKey ? -1 : 1);
      else if (e.key === '?') setHelp((h) => !h);
      else if (e.key === 'Escape') setHelp(false);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const index = selectedId === null ? -1 : order.findIndex((s) => s.spanId === selectedId);
  return (
    <div className="player" data-testid="player">
      <button type="button" onClick={() => doStep(-1)} data-testid="player-back" title="Previous step (← or p)">
        ◀
      </button>
      <button type="button" onClick={togglePlay} data-testid="player-play" aria-pressed={playing} title="Space">
        {playing ? '❚❚ Pause' : '▶ Play'}
      </button>
      <button type="button" onClick={() => doStep(1)} data-testid="player-forward" title="Next step (→ or n)">
        ▶
      </button>
      <span className="pos muted" data-testid="player-position">
        {index + 1}/{order.length}
      </span>
      <button type="button" onClick={() => doJump('tool', 1)} data-testid="jump-tool" title="t">
        Next tool call
      </button>
      <button type="button" onClick={() => doJump('approval', 1)} data-testid="jump-approval" title="a">
        Next approval
      </button>
      <button type="button" onClick={() => doJump('error', 1)} data-testid="jump-error" title="e">
        Next error
      </button>
      {hasFindings && (
        <button type="button" onClick={() => doJump('finding', 1)} data-testid="jump-finding" title="f">
          Next finding
        </button>
      )}
      <span className="player-help">
        <button type="button" onClick={() => setHelp((h) => !h)} data-testid="shortcuts" aria-expanded={help}>
          ? Shortcuts
        </button>
        {help && (
          <dl className="player-help-pop small" data-testid="shortcuts-help">
            <dt className="kbd-key">space</dt>
            <dd>play / pause</dd>
            <dt className="kbd-key">← → / p n</dt>
            <dd>previous / next step in time</dd>
            <dt className="kbd-key">↑ ↓ / k j</dt>
            <dd>previous / next row of the tree</dd>
            <dt className="kbd-key">t a e f</dt>
            <dd>next tool call / approval / error / finding</dd>
            <dt className="kbd-key">shift+t…</dt>
            <dd>previous one</dd>
          </dl>
        )}
      </span>
      {notice.text !== '' && notice.at === selectedId && (
        <span className="muted small" data-testid="player-notice">
          {notice.text}
        </span>
      )}
    </div>
  );
}
