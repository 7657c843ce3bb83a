import type { Step } from '../model/step.js';
import type { DetectionConfig } from './config.js';
import { getOwn } from './own-record.js';
import { lastKey } from './text.js';

/**
 * What an argument does in a call. A value planted in a `destination` (who or where: recipient,
 * channel, URL, account), a `target` (which object: a file or record ID), an `amount` or a
 * `credential` redirects the action; in `content` it only changes what is said.
 */
export type ArgRole = 'destination' | 'target' | 'amount' | 'credential' | 'content' | 'other';

/** Span attribute naming a tool's destination arguments, as the SDK's `toolCall({ destinations })` writes it. */
export const DESTINATIONS_ATTRIBUTE = 'casefile.tool.destinations';

const DESTINATION =
  /^(?:to|cc|bcc|recipients?|receivers?|emails?|e_?mail_?address(?:es)?|user_?emails?|address(?:es)?|participants?|attendees?|invitees?|guests?|members?|channels?|channel_?(?:id|name)|chat_?id|users?|user_?(?:name|id)s?|usernames?|assignees?|reviewers?|phone(?:_?number)?|iban|account(?:_?(?:number|id))?|webhook(?:_?url)?|url|uri|link|href|endpoint|host(?:name)?|domain|server|destination|dest|target|bucket|repo(?:sitory)?|organi[sz]ation|org|team|group|sender_?(?:email|address))$/;
const TARGET =
  /^(?:ids?|.+_ids?|file(?:_?(?:name|path))?|path|filename|doc(?:ument)?|record|event|ticket|order|issue|transaction|key)$/;
const AMOUNT = /^(?:amount|amounts|sum|total|price|value|quantity|qty|balance|limit|fee)$/;
const CREDENTIAL = /^(?:password|passphrase|passwd|pass|pin|secret|token|api_?key|access_?key|credentials?|otp|code)$/;
const CONTENT =
  /^(?:body|message|messages|text|content|subject|title|description|note|notes|summary|comment|caption|reason|query|prompt)$/;

function declared(step: Step, config: DetectionConfig): string[] {
  const fromConfig = getOwn(config.destination.arguments, step.toolName) ?? [];
  const raw = step.attributes[DESTINATIONS_ATTRIBUTE];
  if (raw === undefined) return fromConfig;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (Array.isArray(parsed)) return [...fromConfig, ...parsed.filter((p): p is string => typeof p === 'string')];
  } catch {
    // A single name rather than a JSON list.
  }
  return [...fromConfig, ...raw.split(',').map((s) => s.trim())];
}

/** Declared destination arguments match by full path (`message.to`) or by last key (`to`). */
export function declaredDestination(step: Step, path: string, config: DetectionConfig): boolean {
  const names = declared(step, config);
  if (names.length === 0) return false;
  const plain = path.replace(/\[\]/g, '');
  return names.some((n) => n === plain || n === lastKey(path));
}

export function argRole(step: Step, path: string, config: DetectionConfig): ArgRole {
  if (declaredDestination(step, path, config)) return 'destination';
  const key = lastKey(path).replace(/-/g, '_');
  if (DESTINATION.test(key)) return 'destination';
  if (CREDENTIAL.test(key)) return 'credential';
  if (AMOUNT.test(key)) return 'amount';
  if (TARGET.test(key)) return 'target';
  if (CONTENT.test(key)) return 'content';
  return 'other';
}

/** Roles whose value, when planted, changes who receives or what is acted on. */
export function redirects(role: ArgRole): boolean {
  return role === 'destination' || role === 'target' || role === 'amount' || role === 'credential';
}
