import { useQuery } from '@tanstack/react-query';
import { useSession } from '../app/session';
import { agentVersionsQuery } from '../data/queries';
import { formatTimestamp, parseNanos } from '../lib/nanos';
import { type DriftState, shippedState } from './drift-url';

/** The agent's latest prompt/policy/model versions, each with a one-click "what changed when it shipped". */
export function DriftVersions({
  project,
  agent,
  state,
  onPick,
}: {
  project: string;
  agent: string;
  state: DriftState;
  onPick: (s: DriftState) => void;
}) {
  const { api } = useSession();
  const versions = useQuery(agentVersionsQuery(api, project, agent));
  if (versions.data === undefined) return null;
  const shown = versions.data.filter((d) => d.versions.length >= 2);
  if (shown.length === 0) return null;
  return (
    <div className="drift-versions pane" data-testid="drift-versions">
      <strong>What changed when this version shipped?</strong>
      {shown.map(({ dimension, versions: list }) => {
        const latest = list[list.length - 1]!;
        const previous = list[list.length - 2]!;
        return (
          <button
            type="button"
            key={dimension}
            data-testid={`drift-version-prev-${dimension}`}
            title={`first seen ${formatTimestamp(parseNanos(latest.firstNs))} UTC`}
            onClick={() => onPick(shippedState(state, dimension, Number(parseNanos(latest.firstNs) / 1_000_000n)))}
          >
            {dimension} {previous.value} → {latest.value}
          </button>
        );
      })}
    </div>
  );
}
