import { createLogOnceHandler, type ErrorHandler, guardHandler } from './errors.js';
import type { SecretResolver } from './secrets.js';

/** What the step helpers need from `initCasefile`; defaults apply when they run without it. */
export interface SdkState {
  agent: { name: string; version: string };
  secrets: SecretResolver | undefined;
  onError: ErrorHandler;
}

const defaults: SdkState = {
  agent: { name: 'agent', version: '' },
  secrets: undefined,
  onError: guardHandler(createLogOnceHandler()),
};

let current: SdkState = defaults;

export function getState(): SdkState {
  return current;
}

export function setState(state: SdkState): void {
  current = state;
}

export function resetState(): void {
  current = defaults;
}

/** Runs SDK bookkeeping; any fault goes to the error handler, never to the agent. */
export function safely(work: () => void): void {
  try {
    work();
  } catch (error) {
    current.onError(error instanceof Error ? error : new Error(String(error)));
  }
}
