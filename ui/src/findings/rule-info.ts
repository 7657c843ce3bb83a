/**
 * What each detection rule catches, in one line, for the findings list and the settings view.
 * Kept beside the UI (the settings API lists rule IDs only); a test checks that every rule the
 * collector runs has a line here. A rule without one still works: it is shown by its ID.
 */
const RULE_INFO: Record<string, string> = {
  'outbound.sensitive_data': 'Secrets or personal data (pseudonym tokens) in the arguments of an external tool call.',
  'outbound.encoded_blob': 'Long base64, hex or %-encoded data in tool arguments, decoded and re-scanned.',
  'outbound.data_url': 'URLs that carry data out: long query values, data in subdomains, images to outside hosts.',
  'destination.new': 'A host, mail domain, recipient or channel never seen before for this tool.',
  'arguments.shape_outlier': "Tool arguments outside the tool's learned shape: new keys, type changes, odd lengths.",
  'untrusted.flows_to_action':
    'A value (recipient, link, account, amount) or text that only untrusted content supplied, used in a later high-risk call.',
  'untrusted.flows_to_output': "A link, address or instruction from untrusted content reaching the run's answer.",
  'untrusted.instructions': 'Instruction-like text inside untrusted content: overrides, role changes, hidden text.',
  'approval.missing':
    'An irreversible tool ran with no approval bound to it, or (once a day per tool) external calls ran without one.',
  'approval.hash_mismatch': "The approval's action hash differs from the action that ran.",
  'approval.reused': 'One approval ID behind several actions, or one an earlier run already used.',
  'approval.after_execution': 'The approval came after the tool had started.',
  'approval.denied_executed': 'A denied or expired approval, and the tool ran anyway.',
  'version.missing': 'No prompt and/or policy version on a run that calls models or tools.',
  'version.unpinned_model': 'A model called by alias instead of a pinned snapshot.',
  'version.unseen': 'A prompt, policy or model version never seen before.',
  'volume.outlier': "Outbound bytes or tool-call count far above the agent's usual runs.",
  'detect.internal_error': 'A rule failed on this run; its findings are missing.',
};

export function ruleInfo(ruleId: string): string {
  return Object.hasOwn(RULE_INFO, ruleId) ? RULE_INFO[ruleId]! : '';
}
