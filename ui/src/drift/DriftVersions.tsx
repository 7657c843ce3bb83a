import { useSession } from '../app/session';
import { useAsync } from '../app/use-async';
import { formatTimestamp, parseNanos } from '../lib/nanos';
import { type DriftState, shippedState, type VersionDimension } from './drift-url';

const DIMENSIONS: VersionDimension[] = ['prompt', 'policy', 'model'];

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
  const versions = useAsync(
    (signal) =>
      Promise.all(
        DIMENSIONS.map(async (dimension) => {
          const q = new URLSearchParams({ dimension, agent });
          if (project !== '') q.set('project', project);
          return { dimension, versions: (await api.driftVersions(q, signal)).versions };
        }),
      ),
    [api, project, agent],
  );
  if (versions.status !== 'ok') return null;
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
