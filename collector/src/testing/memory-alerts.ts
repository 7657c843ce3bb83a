import type { TraceStore } from '../store/port.js';

type AlertMethods =
  | 'putAlertRule'
  | 'deleteAlertRule'
  | 'listAlertRules'
  | 'putAlertState'
  | 'listAlertStates'
  | 'recordAlertEvent'
  | 'listAlertEvents'
  | 'recordAlertDelivery'
  | 'listAlertDeliveries'
  | 'claimEvaluation';

/** Alert rules, states, history, deliveries and claims in memory, for unit tests above the port. */
export function createMemoryAlerts(): Pick<TraceStore, AlertMethods> {
  const pending = async (): Promise<never> => {
    throw new Error('alerts are not available in the memory store yet');
  };
  return {
    putAlertRule: pending,
    deleteAlertRule: pending,
    listAlertRules: pending,
    putAlertState: pending,
    listAlertStates: pending,
    recordAlertEvent: pending,
    listAlertEvents: pending,
    recordAlertDelivery: pending,
    listAlertDeliveries: pending,
    claimEvaluation: pending,
  };
}
