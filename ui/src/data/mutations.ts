/**
 * Writes, and what each one makes stale. A write that the server answers with the new state puts that
 * state into the cache at once; everything else it may have changed is invalidated, so screens showing
 * it refetch (now if on screen, else when next shown).
 */
import type { AlertRuleInput, DetectionSettingsDto, FindingDto } from '@casefile/contract';
import { type InfiniteData, type QueryClient, useMutation, useQueryClient } from '@tanstack/react-query';
import { useSession } from '../app/session';
import type { DetectionSettingsView, FindingStatus } from '../lib/findings-api';
import type { UiRunDetail } from '../lib/model';
import { queryKeys } from './query-keys';

type FindingPage = { findings: FindingDto[]; nextCursor?: string | undefined };

const replaceIn = (list: readonly FindingDto[], updated: FindingDto) =>
  list.map((f) => (f.id === updated.id ? updated : f));

/**
 * A finding's new status, as the API returned it. Lists and run pages that show the finding change it
 * in place (a list filtered on `open` keeps the row, so a slip can be undone with "Reopen"); counts and
 * the audit log refetch; lists are refetched when next shown.
 */
export function findingChanged(client: QueryClient, project: string, updated: FindingDto): void {
  client.setQueriesData<InfiniteData<FindingPage>>({ queryKey: queryKeys.findings.allPages(project) }, (data) =>
    data === undefined
      ? data
      : { ...data, pages: data.pages.map((p) => ({ ...p, findings: replaceIn(p.findings, updated) })) },
  );
  client.setQueryData<UiRunDetail | null>(queryKeys.runs.detail(project, updated.traceId), (detail) =>
    detail?.findings === undefined ? detail : { ...detail, findings: replaceIn(detail.findings, updated) },
  );
  void client.invalidateQueries({ queryKey: queryKeys.findings.allCounts(project) });
  void client.invalidateQueries({ queryKey: queryKeys.detection.audit(project) });
  void client.invalidateQueries({ queryKey: queryKeys.findings.allPages(project), refetchType: 'none' });
  void client.invalidateQueries({ queryKey: queryKeys.runs.all(project), refetchType: 'none' });
}

/** Mark expected / mute / reopen one finding. */
export function useSetFindingStatus(project: string) {
  const { api } = useSession();
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, status }: { id: string; status: FindingStatus }) => api.findings.setStatus(project, id, status),
    onSuccess: (updated) => findingChanged(client, project, updated),
  });
}

/** Saves the detection settings document; the audit log gains an entry. */
export function useSaveDetectionSettings(project: string) {
  const { api } = useSession();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (settings: DetectionSettingsDto) => api.findings.saveSettings(project, settings),
    onSuccess: (saved) => {
      client.setQueryData<DetectionSettingsView>(queryKeys.detection.settings(project), (view) =>
        view === undefined ? view : { ...view, settings: saved },
      );
      void client.invalidateQueries({ queryKey: queryKeys.detection.audit(project) });
    },
  });
}

/**
 * Rule writes change the rules list, the rule, and (through its state) the history. The write is done
 * when the server answers; the refetch runs behind it (awaiting it would hold "Saved." for a round trip).
 */
const alertsChanged = (client: QueryClient, project: string) => {
  void client.invalidateQueries({ queryKey: queryKeys.alerts.all(project) });
};

export function useCreateAlertRule(project: string) {
  const { api } = useSession();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: AlertRuleInput) => api.createAlertRule(project, input),
    onSuccess: () => alertsChanged(client, project),
  });
}

export function useUpdateAlertRule(project: string, id: string) {
  const { api } = useSession();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: AlertRuleInput) => api.updateAlertRule(project, id, input),
    onSuccess: () => alertsChanged(client, project),
  });
}

/** `onDeleted` runs first (it leaves the rule's page), so the deleted rule is not shown as missing. */
export function useDeleteAlertRule(project: string, id: string, onDeleted: () => void) {
  const { api } = useSession();
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.deleteAlertRule(project, id),
    onSuccess: () => {
      onDeleted();
      alertsChanged(client, project);
    },
  });
}

/** "Evaluate now" is a dry run: nothing is recorded, so nothing goes stale. */
export function useEvaluateAlertRule(project: string, id: string) {
  const { api } = useSession();
  return useMutation({ mutationFn: () => api.evaluateAlertRule(project, id) });
}

/** Back-test the rule as typed in the form over a range of past windows (a dry run). */
export function useBacktestAlertRule(project: string) {
  const { api } = useSession();
  return useMutation({
    mutationFn: (v: { input: AlertRuleInput; from: string; to: string }) =>
      api.backtestAlertRule(project, v.input, { from: v.from, to: v.to }),
  });
}

/**
 * Find the runs that carried a value. A mutation, not a query: the value must not become a cache key
 * that outlives the search (nothing about it is kept once the page lets go of the answer).
 */
export function useFindByValue(project: string) {
  const { api } = useSession();
  return useMutation({ mutationFn: (value: string) => api.findByValue(project, value), gcTime: 0 });
}
