import { PageHeading, useDocumentTitle } from '../app/PageHeading';
import { navigate } from '../app/router';
import { searchHref } from '../lib/routes';
import { filtersToSearch, hasFilters, type RunFilters } from '../lib/run-filters';
import { RunFiltersForm } from '../runs/RunFiltersForm';
import { RunResults } from '../runs/RunResults';
import { useUrlFilters } from '../runs/use-url-filters';
import { FindByValue } from './FindByValue';

const TEXT_HINT =
  'Literal, case-insensitive text over every redacted payload: input, messages, tool arguments and results, ' +
  'retrieved documents, errors, events and attributes. Paste a pseudonym token such as ' +
  '[email:7f3a9c12@globex.example] (or its start, [email:7f3a9c12) to find every run that carried it.';

/** Search across runs: every filter in one form, the query in the URL, each result a link to its replay. */
export function SearchPage({ project }: { project: string }) {
  const { filters, filtersKey } = useUrlFilters(project);
  const apply = (next: RunFilters) => navigate(searchHref(filtersToSearch(project, next)));
  useDocumentTitle(hasFilters(filters) ? 'Search results' : 'Search runs');
  return (
    <div className="search-page" data-testid="search-page">
      <PageHeading className="page-title">Search runs</PageHeading>
      <RunFiltersForm
        key={filtersKey}
        filters={filters}
        onApply={apply}
        textHint={TEXT_HINT}
        autoFocus={!hasFilters(filters)}
      />
      <FindByValue project={project} />
      <RunResults project={project} filters={filters} filtersKey={filtersKey} />
    </div>
  );
}
