import type { EvidenceAuditEntryDto } from '@casefile/contract';

/** One line for an entry of a case's audit trail; the detail is trace content-free but still shown as text only. */
export function auditLine(e: EvidenceAuditEntryDto): string {
  const d = (typeof e.detail === 'object' && e.detail !== null ? e.detail : {}) as Record<string, unknown>;
  const runs = Array.isArray(d.traceIds) ? d.traceIds.length : undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (e.action) {
    case 'case.create':
      return `created "${text(d.name)}"${runs === undefined ? '' : ` with ${runs} run${runs === 1 ? '' : 's'}`}`;
    case 'case.hold':
      return `placed on legal hold: ${text(d.reason)}`;
    case 'case.release':
      return `hold released (placed by ${text(d.by) || 'unknown'})`;
    default:
      return `${e.action}${typeof e.detail === 'string' && e.detail !== '' ? `: ${e.detail}` : ''}`;
  }
}
