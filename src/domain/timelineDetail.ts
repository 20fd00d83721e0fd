import type { Report } from './lifecycle.js';
import type { ReportPlan } from './reportPlan.js';
import type { ReportEnvelope } from './reportEnvelope.js';

/** The detail of a report's timeline row: where it came from and what it caused (the same for every store). */
export function timelineDetail(envelope: ReportEnvelope, report: Report, plan: ReportPlan, statusBefore: string): Record<string, unknown> {
  // Built field by field (no spreads of temporary objects): one per report, thousands a second. Key order is kept.
  const detail: Record<string, unknown> = { source: envelope.source };
  if (envelope.detail !== undefined) detail['detail'] = envelope.detail;
  if ('errorCode' in report && report.errorCode !== null) detail['errorCode'] = report.errorCode;
  if ('url' in report) detail['url'] = report.url;
  detail['statuses'] = plan.changes.map((c) => c.status);
  detail['callbacks'] = plan.callbacks.map((c) => c.callback_event);
  if (plan.changes.length === 0 && report.kind !== 'click') detail['ignored'] = `status is already ${statusBefore}`;
  return detail;
}
