import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { PageHeading, useDocumentTitle } from '../app/PageHeading';
import { useSearchParams } from '../app/router';
import { useSession } from '../app/session';
import { useSaveDetectionSettings } from '../data/mutations';
import { detectionAuditQuery, detectionSettingsQuery } from '../data/queries';
import type { DetectionSettingsView } from '../lib/findings-api';
import { findingsHref } from '../lib/routes';
import { AuditLog } from './AuditLog';
import { MutesEditor } from './MutesEditor';
import { RulesEditor } from './RulesEditor';
import {
  addMute,
  removeMute,
  type Settings,
  setApprovalRequired,
  setRuleEnabled,
  setSeverityOverride,
  setThreshold,
  setTrustedHosts,
} from './settings-edit';
import { ThresholdsEditor } from './ThresholdsEditor';

/** `/findings/settings`: tune detection (admin) and read who changed it. */
export function DetectionSettingsPage({ project }: { project: string }) {
  const { api, user } = useSession();
  const params = useSearchParams();
  const back = <Link to={findingsHref(new URLSearchParams(project === '' ? {} : { project }))}>← Findings</Link>;
  const isAdmin = user.role === 'admin';
  useDocumentTitle('Detection settings');
  // Only admins may read either (the API answers 403 too); a save refetches the audit log.
  const loaded = useQuery({ ...detectionSettingsQuery(api, project), enabled: isAdmin });
  const audit = useQuery({ ...detectionAuditQuery(api, project), enabled: isAdmin });

  if (!isAdmin) {
    return (
      <div className="page-status" data-testid="settings-forbidden">
        {back} Detection settings and their audit log need the admin role (this session is {user.role}).
      </div>
    );
  }
  const initialMute = {
    rule: params.get('muteRule') ?? '',
    tool: params.get('muteTool') ?? '',
    agent: params.get('muteAgent') ?? '',
  };
  return (
    <div className="settings-page" data-testid="detection-settings">
      <div className="page-head">
        {back}
        <PageHeading>Detection settings</PageHeading>
        <span className="muted small">changes apply to runs detected after saving; every save is in the audit log</span>
      </div>
      {loaded.isPending && <div className="page-status">Loading settings…</div>}
      {loaded.error !== null && <ErrorBanner error={loaded.error} />}
      {loaded.data !== undefined && <SettingsEditor project={project} loaded={loaded.data} initialMute={initialMute} />}
      {audit.error !== null && <ErrorBanner error={audit.error} />}
      {audit.data !== undefined && <AuditLog entries={audit.data} />}
    </div>
  );
}

interface EditorProps {
  project: string;
  loaded: DetectionSettingsView;
  initialMute: { rule: string; tool: string; agent: string };
}

/** The draft is the editor's own: a refetch of the settings never overwrites unsaved edits. */
function SettingsEditor({ project, loaded, initialMute }: EditorProps) {
  const saveSettings = useSaveDetectionSettings(project);
  const [saved, setSaved] = useState<Settings>(loaded.settings);
  const [draft, setDraft] = useState<Settings>(loaded.settings);
  const saving = saveSettings.isPending;
  const [error, setError] = useState<Error | null>(null);
  const [notice, setNotice] = useState('');
  const [json, setJson] = useState<string | null>(null);
  const dirty = JSON.stringify(draft) !== JSON.stringify(saved);
  const edit = (next: Settings) => {
    setDraft(next);
    setNotice('');
  };

  const save = () => {
    setError(null);
    saveSettings.mutate(draft, {
      onSuccess: (result) => {
        setSaved(result);
        setDraft(result);
        setNotice('Saved. Runs detected from now on use these settings.');
      },
      onError: setError,
    });
  };

  const applyJson = () => {
    if (json === null) return;
    try {
      // The server validates the document on save and says what is wrong.
      edit(JSON.parse(json) as Settings);
      setJson(null);
      setError(null);
    } catch (e) {
      setError(new Error(`Not JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
    }
  };

  return (
    <>
      <div className="save-bar" data-testid="settings-save-bar">
        <button
          type="button"
          className="primary"
          disabled={!dirty || saving}
          onClick={save}
          data-testid="save-settings"
        >
          {saving ? 'Saving…' : 'Save settings'}
        </button>
        <button type="button" disabled={!dirty || saving} onClick={() => edit(saved)} data-testid="discard-settings">
          Discard changes
        </button>
        {dirty && <span className="muted small">unsaved changes</span>}
        {notice !== '' && (
          <span className="ok-notice small" data-testid="settings-saved">
            {notice}
          </span>
        )}
      </div>
      {error !== null && <ErrorBanner error={error} />}
      <MutesEditor
        mutes={draft.mutes ?? []}
        ruleIds={loaded.ruleIds}
        initial={initialMute}
        onAdd={(rule, tool, agent) => edit(addMute(draft, rule, tool, agent))}
        onRemove={(i) => edit(removeMute(draft, i))}
      />
      <RulesEditor
        settings={draft}
        ruleIds={loaded.ruleIds}
        onEnabled={(id, on) => edit(setRuleEnabled(draft, id, on))}
        onSeverity={(id, sev) => edit(setSeverityOverride(draft, id, sev))}
      />
      <ThresholdsEditor
        settings={draft}
        onThreshold={(section, key, raw) => edit(setThreshold(draft, section, key, raw))}
        onTrustedHosts={(raw) => edit(setTrustedHosts(draft, raw))}
        onApproval={(risk, on) => edit(setApprovalRequired(draft, risk, on))}
      />
      <section className="settings-section" data-testid="settings-json">
        <h2>As JSON</h2>
        <p className="muted small">
          The whole document, including tool risk overrides (<code>toolRisks</code>) and per-tool destination
          allow-lists (<code>thresholds.destination.allow</code>).
        </p>
        {json === null ? (
          <button type="button" onClick={() => setJson(JSON.stringify(draft, null, 2))} data-testid="edit-json">
            Edit as JSON
          </button>
        ) : (
          <>
            <textarea
              className="mono json-editor"
              rows={14}
              spellCheck={false}
              value={json}
              onChange={(e) => setJson(e.target.value)}
              data-testid="settings-json-text"
            />
            <div>
              <button type="button" onClick={applyJson} data-testid="apply-json">
                Use this JSON
              </button>{' '}
              <button type="button" onClick={() => setJson(null)}>
                Cancel
              </button>
            </div>
          </>
        )}
      </section>
    </>
  );
}
