import type { AlertRuleDto } from '@casefile/contract';
import { useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { navigate } from '../app/router';
import { useSession } from '../app/session';
import type { CreatedRule, RuleEvaluation } from '../lib/api-client';
import { formatTimestamp, parseNanos } from '../lib/nanos';
import { alertRuleHref, alertsHref } from '../lib/routes';
import { AlertHistory, StateBadge } from './AlertHistory';
import { ruleScope, verdictText } from './alert-view';
import { RuleFormView } from './RuleFormView';
import { emptyRuleForm, ruleToForm } from './rule-form';
import { usePolled } from './use-polled';
import './alerts.css';

const POLL_MS = 3_000;

/** `/alerts/new`: the create form; after saving, the signing secret is shown once. */
export function NewAlertRulePage({ project }: { project: string }) {
  const { api } = useSession();
  const [created, setCreated] = useState<CreatedRule | null>(null);
  if (created !== null) return <CreatedPanel project={project} created={created} />;
  return (
    <div className="alerts-page" data-testid="alert-rule-new">
      <div className="crumbs">
        <Link to={alertsHref(project)}>Alert rules</Link> / new
      </div>
      <h1>New alert rule</h1>
      <RuleFormView
        initial={emptyRuleForm()}
        submitLabel="Create rule"
        editing={false}
        onSubmit={async (input) => setCreated(await api.createAlertRule(project, input))}
      />
    </div>
  );
}

/** The webhook signing secret, shown the one time the server returns it. */
function SecretOnce({ secret }: { secret: string }) {
  const [copied, setCopied] = useState('');
  const copy = () =>
    navigator.clipboard.writeText(secret).then(
      () => setCopied('Copied.'),
      () => setCopied('Copy failed: select the text and copy it by hand.'),
    );
  return (
    <div className="secret-once notice">
      <p>
        <strong>Webhook signing secret.</strong> Copy it now: it is shown only this once. Receivers verify the{' '}
        <code>casefile-signature</code> header (<code>t=…,v1=</code> hex HMAC-SHA256 of <code>t.body</code>) with it.
      </p>
      <code className="secret" data-testid="rule-secret">
        {secret}
      </code>{' '}
      <button type="button" onClick={() => void copy()} data-testid="copy-secret">
        Copy
      </button>{' '}
      <span className="muted">{copied}</span>
    </div>
  );
}

function CreatedPanel({ project, created }: { project: string; created: CreatedRule }) {
  return (
    <div className="alerts-page" data-testid="rule-created" data-rule-id={created.rule.id}>
      <h1>Rule “{created.rule.name}” created</h1>
      {created.secret !== undefined ? (
        <SecretOnce secret={created.secret} />
      ) : (
        <p className="muted">This rule has no webhook, so there is no signing secret.</p>
      )}
      <p>
        <Link to={alertRuleHref(project, created.rule.id)} data-testid="open-created-rule">
          Open the rule
        </Link>{' '}
        ·{' '}
        <Link to={alertsHref(project)} data-testid="all-rules">
          All rules
        </Link>
      </p>
    </div>
  );
}

/** `/alerts/:id`: the rule's state, edit form, "Evaluate now", delete, and its history. */
export function AlertRulePage({ project, id }: { project: string; id: string }) {
  const { api } = useSession();
  const [refresh, setRefresh] = useState(0);
  const rule = usePolled((signal) => api.getAlertRule(project, id, signal), [api, project, id, refresh], POLL_MS);
  if (rule.status === 'loading') return <div className="page-status">Loading rule…</div>;
  if (rule.status === 'error') return <ErrorBanner error={rule.error} />;
  if (rule.data === null) {
    return (
      <div className="page-status" data-testid="rule-not-found">
        No alert rule {id} in this project. <Link to={alertsHref(project)}>All rules</Link>
      </div>
    );
  }
  return <RuleView project={project} rule={rule.data} refresh={refresh} onChanged={() => setRefresh((n) => n + 1)} />;
}

interface RuleViewProps {
  project: string;
  rule: AlertRuleDto;
  refresh: number;
  onChanged: () => void;
}

function RuleView({ project, rule, refresh, onChanged }: RuleViewProps) {
  const { api, user } = useSession();
  const admin = user.role === 'admin';
  const [confirming, setConfirming] = useState(false);
  const [actionError, setActionError] = useState<Error | null>(null);
  const [saved, setSaved] = useState('');
  const [newSecret, setNewSecret] = useState<string | undefined>(undefined);
  const [evaluation, setEvaluation] = useState<RuleEvaluation | null>(null);
  const fail = (err: unknown) => setActionError(err instanceof Error ? err : new Error(String(err)));
  const evaluate = () => {
    setActionError(null);
    api.evaluateAlertRule(project, rule.id).then(setEvaluation, fail);
  };
  const remove = () => api.deleteAlertRule(project, rule.id).then(() => navigate(alertsHref(project)), fail);
  return (
    <div className="alerts-page" data-testid="alert-rule" data-rule-id={rule.id} data-state={rule.state}>
      <div className="crumbs">
        <Link to={alertsHref(project)}>Alert rules</Link> / {rule.name}
      </div>
      <div className="page-head">
        <h1>{rule.name}</h1>
        <StateBadge state={rule.state} />
        <span className="muted">
          {ruleScope(rule)} · since {rule.stateSinceNs === '' ? '—' : formatTimestamp(parseNanos(rule.stateSinceNs))} ·
          last evaluated {rule.lastEvaluatedNs === '' ? 'never' : formatTimestamp(parseNanos(rule.lastEvaluatedNs))}
        </span>
        <div className="spacer" />
        {user.role !== 'viewer' && (
          <button type="button" onClick={evaluate} data-testid="evaluate-now">
            Evaluate now
          </button>
        )}
        {!admin ? null : confirming ? (
          <span className="confirm">
            Delete this rule? Its history is kept.{' '}
            <button type="button" className="danger" onClick={() => void remove()} data-testid="confirm-delete">
              Delete
            </button>{' '}
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" onClick={() => setConfirming(true)} data-testid="delete-rule">
            Delete…
          </button>
        )}
      </div>
      {actionError !== null && <ErrorBanner error={actionError} />}
      {evaluation !== null && (
        <div className="notice" data-testid="evaluation" data-would-be={evaluation.wouldBe}>
          <strong>Evaluated now (dry run, nothing recorded or sent):</strong> would be{' '}
          <StateBadge state={evaluation.wouldBe} /> · {evaluation.summary}
          {evaluation.results.map((r) => (
            <div key={r.metric} className="small">
              {r.metric}: {verdictText(r)}
            </div>
          ))}
        </div>
      )}
      {admin && (
        <details className="rule-edit">
          <summary>Edit rule</summary>
          <RuleFormView
            key={rule.updatedNs}
            initial={ruleToForm(rule)}
            submitLabel="Save changes"
            editing
            onSubmit={async (input) => {
              const answer = await api.updateAlertRule(project, rule.id, input);
              setNewSecret(answer.secret);
              setSaved('Saved.');
              onChanged();
            }}
          />
          {saved !== '' && <span className="muted">{saved}</span>}
        </details>
      )}
      {newSecret !== undefined && <SecretOnce secret={newSecret} />}
      <AlertHistory project={project} ruleId={rule.id} rules={[rule]} refresh={refresh} />
    </div>
  );
}
