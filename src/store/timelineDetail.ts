import type { Report } from '../domain/lifecycle.js';
import type { ReportPlan } from '../domain/reportPlan.js';
import type { ReportEnvelope } from './store.js';

/** The detail of a report's timeline row: where it came from and what it caused (the same for every store). */
export function timelineDetail(envelope: ReportEnvelope, report: Report, plan: ReportPlan, statusBefore: string): Record<string, unknown> {
  return {
    source: envelope.source,
    ...(envelope.detail === undefined ? {} : { detail: envelope.detail }),
    ...('errorCode' in report && report.errorCode !== null ? { errorCode: report.errorCode } : {}),
    ...('url' in report ? { url: report.url } : {}),
    statuses: plan.changes.map((c) => c.status),
    callbacks: plan.callbacks.map((c) => c.callback_event),
    ...(plan.changes.length === 0 && report.kind !== 'click' ? { ignored: `status is already ${statusBefore}` } : {}),
  };
}
