import type { AlertRuleDto } from '@casefile/contract';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { PageHeading, useDocumentTitle } from '../app/PageHeading';
import { navigate } from '../app/router';
import { useSession } from '../app/session';
import { useCreateAlertRule, useDeleteAlertRule, useEvaluateAlertRule, useUpdateAlertRule } from '../data/mutations';
import { alertRuleQuery, pollInterval } from '../data/queries';
import type { CreatedRule } from '../lib/api-client';
import { formatTimestamp, parseNanos } from '../lib/nanos';
import { alertRuleHref, alertsHref } from '../lib/routes';
import { AlertHistory, StateBadge } from './AlertHistory';
import { referenceText, ruleScope, verdictText } from './alert-view';
import { RuleFormView } from './RuleFormView';
import { emptyRuleForm, ruleToForm } from './rule-form';
import './alerts.css';

/** `/alerts/new`: the create form; after saving, the signing secret is shown once. */
export function NewAlertRulePage({ project }: { project: string }) {
  const { user } = useSession();
  const create = useCreateAlertRule(project);
  useDocumentTitle('New alert rule');
  const [created, setCreated] = useState<CreatedRule | null>(null);
  if (created !== null) return <CreatedPanel project={project} created={created} />;
  // Only admins create rules: anyone else gets no form they could not submit.
  if (user.role !== 'admin') {
    return (
      <div className="alerts-page" data-testid="alert-rule-new-refused">
        <PageHeading>New alert rule</PageHeading>
        <p className="muted">
          Only an admin can create alert rules. <Link to={alertsHref(project)}>See the existing rules</Link>.
        </p>
      </div>
    );
  }
  return (
    <div className="alerts-page" data-testid="alert-rule-new">
      <div className="crumbs">
        <Link to={alertsHref(project)}>Alert rules</Link> / new
      </div>
      <PageHeading>New alert rule</PageHeading>
      <RuleFormView
        initial={emptyRuleForm()}
        submitLabel="Create rule"
        editing={false}
        backtestProject={project}
        onSubmit={async (input) => setCreated(await create.mutateAsync(input))}
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
      <PageHeading>Rule “{created.rule.name}” created</PageHeading>
      {created.secret !== undefined ? (
        <SecretOnce secret={created.secret} />
      ) : created.rule.channel.type === 'webhook' ? (
        <p className="muted" data-testid="rule-secret-given">
          The webhook signs its deliveries with the secret you entered; Casefile does not show it again.
        </p>
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
  // Polled like the list; a failed poll shows its error above the last answer (the edit form stays).
  const rule = useQuery({ ...alertRuleQuery(api, project, id), refetchInterval: pollInterval });
  useDocumentTitle(rule.data ? `Alert rule ${rule.data.name}` : 'Alert rule');
  if (rule.isPending) return <div className="page-status">Loading rule…</div>;
  if (rule.data === undefined) return <ErrorBanner error={rule.error} />;
  if (rule.data === null) {
    return (
      <div className="page-status" data-testid="rule-not-found">
        No alert rule {id} in this project. <Link to={alertsHref(project)}>All rules</Link>
      </div>
    );
  }
  return (
    <>
      {rule.error !== null && <ErrorBanner error={rule.error} />}
      <RuleView project={project} rule={rule.data} />
    </>
  );
}

function RuleView({ project, rule }: { project: string; rule: AlertRuleDto }) {
  const { user } = useSession();
  const admin = user.role === 'admin';
  const [confirming, setConfirming] = useState(false);
  const [saved, setSaved] = useState('');
  const [newSecret, setNewSecret] = useState<string | undefined>(undefined);
  const evaluation = useEvaluateAlertRule(project, rule.id);
  const update = useUpdateAlertRule(project, rule.id);
  const deletion = useDeleteAlertRule(project, rule.id, () => navigate(alertsHref(project)));
  // The last action's failure (evaluate or delete); starting one clears the other's.
  const actionError = evaluation.error ?? deletion.error;
  const evaluate = () => {
    deletion.reset();
    evaluation.mutate();
  };
  const remove = () => {
    evaluation.reset();
    deletion.mutate();
  };
  return (
    <div className="alerts-page" data-testid="alert-rule" data-rule-id={rule.id} data-state={rule.state}>
      <div className="crumbs">
        <Link to={alertsHref(project)}>Alert rules</Link> / {rule.name}
      </div>
      <div className="page-head">
        <PageHeading>{rule.name}</PageHeading>
        <StateBadge state={rule.state} />
        <span className="muted">
          {ruleScope(rule)} · since {rule.stateSinceNs === '' ? '—' : formatTimestamp(parseNanos(rule.stateSinceNs))} ·
          last evaluated {rule.lastEvaluatedNs === '' ? 'never' : formatTimestamp(parseNanos(rule.lastEvaluatedNs))}
          {rule.kind === 'drift' && <span data-testid="rule-reference-text"> · vs {referenceText(rule)}</span>}
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
            <button type="button" className="danger" onClick={remove} data-testid="confirm-delete">
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
      {evaluation.data !== undefined && (
        <div className="notice" data-testid="evaluation" data-would-be={evaluation.data.wouldBe}>
          <strong>Evaluated now (dry run, nothing recorded or sent):</strong> would be{' '}
          <StateBadge state={evaluation.data.wouldBe} /> · {evaluation.data.summary}
          {evaluation.data.results.map((r) => (
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
            backtestProject={project}
            onSubmit={async (input) => {
              const answer = await update.mutateAsync(input);
              setNewSecret(answer.secret);
              setSaved('Saved.');
            }}
          />
          {saved !== '' && <span className="muted">{saved}</span>}
        </details>
      )}
      {newSecret !== undefined && <SecretOnce secret={newSecret} />}
      <AlertHistory project={project} ruleId={rule.id} rules={[rule]} />
    </div>
  );
}
