import { PageHeading, useDocumentTitle } from '../app/PageHeading';
import { navigate } from '../app/router';
import { runsHref } from '../lib/routes';
import { filtersToSearch, type RunFilters } from '../lib/run-filters';
import { RunFiltersForm } from './RunFiltersForm';
import { RunResults } from './RunResults';
import { useUrlFilters } from './use-url-filters';

export function RunsPage({ project }: { project: string }) {
  const { filters, filtersKey } = useUrlFilters(project);
  const apply = (next: RunFilters) => navigate(runsHref(filtersToSearch(project, next)));
  useDocumentTitle('Runs');
  return (
    <div className="runs-page">
      <PageHeading className="page-title">Runs</PageHeading>
      <RunFiltersForm key={filtersKey} filters={filters} onApply={apply} />
      <RunResults project={project} filters={filters} filtersKey={filtersKey} />
    </div>
  );
}
