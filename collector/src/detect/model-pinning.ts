/**
 * Whether a model name names a fixed snapshot. Providers mark snapshots with dates
 * (`gpt-4o-2024-08-06`, `claude-sonnet-4-20250514`, `claude-3-5-sonnet@20240620`), four-digit
 * snapshot codes (`gpt-4-0613`, `mistral-large-2407`), revision numbers (`gemini-1.5-pro-002`),
 * Bedrock versions (`…-v1:0`), fine-tune IDs (`ft:…`) or digests (`@sha256:…`). Aliases such as
 * `gpt-4o`, `claude-sonnet-4` and anything ending in `latest` move under you.
 */
const UNPINNED = /(?:^|[-:@_.])latest$|-exp$/i;
const PINNED = [
  /\d{4}-\d{2}-\d{2}/,
  /(?:^|[-@_:.])20\d{6}(?:$|[-:@_.v])/,
  /-\d{4}(?:-|$)/,
  /-\d{3}$/,
  /-v\d+(?::\d+)?$/,
  /@sha256:[0-9a-f]{16,}/i,
  /^ft:/,
];

export function isPinnedModel(model: string, pinnedModels: readonly string[] = []): boolean {
  if (pinnedModels.includes(model)) return true;
  if (UNPINNED.test(model)) return false;
  return PINNED.some((re) => re.test(model));
}
