import { navigate } from '../app/router';
import { runsHref } from '../lib/routes';
import { filtersToSearch, type RunFilters } from '../lib/run-filters';
import { RunFiltersForm } from './RunFiltersForm';
import { RunResults } from './RunResults';
import { useUrlFilters } from './use-url-filters';

export function RunsPage({ project }: { project: string }) {
  const { filters, filtersKey } = useUrlFilters(project);
  const apply = (next: RunFilters) => navigate(runsHref(filtersToSearch(project, next)));
  return (
    <div className="runs-page">
      <RunFiltersForm key={filtersKey} filters={filters} onApply={apply} />
      <RunResults project={project} filters={filters} filtersKey={filtersKey} />
    </div>
  );
}
