import { useQuery } from '@tanstack/react-query';
import { useSession } from '../app/session';
import { runsPageQuery } from '../data/queries';
import type { UiRunSummary } from '../lib/model';
import { usualVersions, versionDeviations } from './player';

const LABELS = { promptVersion: 'prompt', policyVersion: 'policy', agentVersion: 'agent' } as const;
/** How many of the agent's latest runs define its "usual" versions. */
export const USUAL_SAMPLE = 200;

/** Badges for the versions of this run that differ from its agent's usual ones. */
export function VersionBadges({ project, run }: { project: string; run: UiRunSummary }) {
  const { api } = useSession();
  const query = new URLSearchParams({ limit: String(USUAL_SAMPLE) });
  if (project !== '') query.set('project', project);
  if (run.agentName !== '') query.set('agent', run.agentName);
  const latest = useQuery(runsPageQuery(api, project, query));
  if (latest.data === undefined || run.agentName === '') return null;
  const usual = usualVersions(latest.data.runs);
  const deviations = versionDeviations(run, usual);
  if (deviations.length === 0) return null;
  return (
    <div className="version-badges" data-testid="version-badges">
      {deviations.map((d) => (
        <span
          key={d.field}
          className="badge deviates"
          data-testid={`version-deviation-${LABELS[d.field]}`}
          title={`usual over the agent's latest ${usual.sample} runs: ${d.usual}`}
        >
          unusual {LABELS[d.field]} {d.value || '(none)'} (usual {d.usual})
        </span>
      ))}
    </div>
  );
}
