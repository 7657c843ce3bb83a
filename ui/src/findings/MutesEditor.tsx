import { type FormEvent, useState } from 'react';
import type { Mute } from './settings-edit';

interface Props {
  mutes: readonly Mute[];
  ruleIds: readonly string[];
  /** Pre-filled from the link on a finding ("tune rule…"). */
  initial: { rule: string; tool: string; agent: string };
  onAdd: (ruleId: string, tool: string, agent: string) => void;
  onRemove: (index: number) => void;
}

/** Mutes drop a rule's findings on one tool and/or agent (blank = any). */
export function MutesEditor({ mutes, ruleIds, initial, onAdd, onRemove }: Props) {
  const [rule, setRule] = useState(initial.rule);
  const [tool, setTool] = useState(initial.tool);
  const [agent, setAgent] = useState(initial.agent);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (rule.trim() === '') return;
    onAdd(rule, tool, agent);
    setTool('');
    setAgent('');
  };
  return (
    <section className="settings-section" data-testid="mutes-editor">
      <h2>Mutes</h2>
      <p className="muted small">
        A muted rule still runs, but its findings on that tool or agent are dropped. Use it for behaviour that is
        expected there; a finding's "Mark expected" teaches the baseline one item instead.
      </p>
      {mutes.length === 0 ? (
        <p className="muted small">No mutes.</p>
      ) : (
        <table className="grid compact" data-testid="mutes-table">
          <thead>
            <tr>
              <th>Rule</th>
              <th>Tool</th>
              <th>Agent</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {mutes.map((m, i) => (
              <tr key={`${m.ruleId}|${m.tool ?? ''}|${m.agent ?? ''}`} data-testid="mute-row">
                <td className="mono">{m.ruleId}</td>
                <td className="mono">{m.tool ?? <span className="muted">any</span>}</td>
                <td className="mono">{m.agent ?? <span className="muted">any</span>}</td>
                <td>
                  <button type="button" onClick={() => onRemove(i)} data-testid="remove-mute">
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="inline-form" onSubmit={submit} data-testid="add-mute">
        <label className="filter">
          <span>Rule</span>
          <select data-testid="mute-rule" value={rule} onChange={(e) => setRule(e.target.value)}>
            <option value="">choose a rule…</option>
            {!ruleIds.includes(rule) && rule !== '' && <option value={rule}>{rule}</option>}
            {ruleIds.map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
          </select>
        </label>
        <label className="filter">
          <span>Tool</span>
          <input
            className="mono"
            data-testid="mute-tool"
            value={tool}
            placeholder="any"
            spellCheck={false}
            onChange={(e) => setTool(e.target.value)}
          />
        </label>
        <label className="filter">
          <span>Agent</span>
          <input
            className="mono"
            data-testid="mute-agent"
            value={agent}
            placeholder="any"
            spellCheck={false}
            onChange={(e) => setAgent(e.target.value)}
          />
        </label>
        <button type="submit" disabled={rule.trim() === ''} data-testid="mute-add">
          Add mute
        </button>
      </form>
    </section>
  );
}
