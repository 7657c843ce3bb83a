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

/**
 * Hub IDs (`org/name`, as Hugging Face, vLLM, Together and Ollama name open-weights models) name a
 * published checkpoint when the name carries its size or a revision: `meta-llama/Llama-3.3-70B-Instruct`,
 * `mistralai/Mixtral-8x7B-Instruct-v0.1`, `org/model@3f2a1b0`. A router's `openai/gpt-4o` is still an alias.
 */
const HUB_ID = /^[A-Za-z0-9][\w.-]{0,95}\/([\w.-]{1,200}?)(?:[@:]([\w.-]{1,64}))?$/;
const PARAMETER_SIZE = /(?:^|[-_.])(?:\d{1,3}x)?\d{1,4}(?:\.\d{1,2})?[bBmM](?:$|[-_.])/;

export function isPinnedModel(model: string, pinnedModels: readonly string[] = []): boolean {
  if (pinnedModels.includes(model)) return true;
  const hub = HUB_ID.exec(model);
  if (hub) {
    const [, name = '', revision] = hub;
    if (revision !== undefined) return !/latest/i.test(revision);
    if (UNPINNED.test(name)) return false;
    return PARAMETER_SIZE.test(name) || PINNED.some((re) => re.test(name));
  }
  if (UNPINNED.test(model)) return false;
  return PINNED.some((re) => re.test(model));
}
