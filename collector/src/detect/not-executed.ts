import type { Step } from '../model/step.js';

const REFUSED = /^(?:denied|deny|blocked|block|rejected|refused|cancell?ed|not[_ ]executed|skipped|aborted|vetoed)$/i;

/**
 * A tool step that records it did not run: its action result says it was denied, blocked or
 * cancelled (e.g. after a denied approval). Such a step is an attempt, not an action.
 */
export function notExecuted(step: Step): boolean {
  return REFUSED.test(step.actionResult.trim());
}
