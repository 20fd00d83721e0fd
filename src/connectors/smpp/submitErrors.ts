/**
 * What a submit_sm_resp error status (command_status ≠ 0) means for the message (docs/smpp-submit-errors.md,
 * which this table is the source of; spec §13, Appendix A).
 *
 * - `throttle`: the SMSC is busy; the session waits, slows its bind down and submits the same part again.
 * - `retry`: a transient failure on the SMSC's side; the part is submitted again after a pause.
 * - `refuse`: permanent for this message; it becomes `unsent` with `errorCode`.
 * Any status not in the table is refused with DEFAULT_SUBMIT_ERROR_CODE (502, SMSC failure).
 */
import type { CommandStatusRules } from '../../smpp/session.js';

export type SubmitErrorAction = 'throttle' | 'retry' | 'refuse';

export interface SubmitErrorRule {
  status: number;
  name: string;
  meaning: string;
  action: SubmitErrorAction;
  /** §13 code when refused. */
  errorCode: number | null;
}

export const DEFAULT_SUBMIT_ERROR_CODE = 502;

export const SUBMIT_ERROR_RULES: readonly SubmitErrorRule[] = [
  { status: 0x58, name: 'ESME_RTHROTTLED', meaning: 'Throttling error: too many messages', action: 'throttle', errorCode: null },
  { status: 0x14, name: 'ESME_RMSGQFUL', meaning: 'Message queue full', action: 'throttle', errorCode: null },
  { status: 0x08, name: 'ESME_RSYSERR', meaning: 'System error', action: 'retry', errorCode: null },
  { status: 0x04, name: 'ESME_RINVBNDSTS', meaning: 'Incorrect bind status for the command', action: 'retry', errorCode: null },
  { status: 0x64, name: 'ESME_RX_T_APPN', meaning: 'Temporary application error', action: 'retry', errorCode: null },
  { status: 0x0a, name: 'ESME_RINVSRCADR', meaning: 'Invalid source address (sender ID)', action: 'refuse', errorCode: 457 },
  { status: 0x0b, name: 'ESME_RINVDSTADR', meaning: 'Invalid destination address', action: 'refuse', errorCode: 11 },
  { status: 0x500, name: 'Bad character code', meaning: 'Forbidden content (spec Appendix A)', action: 'refuse', errorCode: 458 },
  { status: 0x45, name: 'ESME_RSUBMITFAIL', meaning: 'submit_sm failed', action: 'refuse', errorCode: 502 },
  { status: 0x62, name: 'ESME_RINVEXPIRY', meaning: 'Invalid validity period', action: 'refuse', errorCode: 502 },
  { status: 0x01, name: 'ESME_RINVMSGLEN', meaning: 'Invalid message length', action: 'refuse', errorCode: 502 },
  { status: 0x43, name: 'ESME_RINVESMCLASS', meaning: 'Invalid esm_class', action: 'refuse', errorCode: 502 },
  { status: 0xff, name: 'ESME_RUNKNOWNERR', meaning: 'Unknown error', action: 'refuse', errorCode: 502 },
];

const byStatus = new Map(SUBMIT_ERROR_RULES.map((rule) => [rule.status, rule]));

export type SubmitErrorVerdict = { action: 'throttle' | 'retry' } | { action: 'refuse'; errorCode: number };

export function submitErrorVerdict(status: number): SubmitErrorVerdict {
  const rule = byStatus.get(status);
  if (rule && rule.action !== 'refuse') return { action: rule.action };
  return { action: 'refuse', errorCode: rule?.errorCode ?? DEFAULT_SUBMIT_ERROR_CODE };
}

/** A status in logs and details: `ESME_RTHROTTLED (0x00000058)`. */
export function describeStatus(status: number): string {
  const hex = `0x${status.toString(16).toUpperCase().padStart(8, '0')}`;
  const rule = byStatus.get(status);
  return rule ? `${rule.name} (${hex})` : hex;
}

/** The table as the SMPP session asks it: which statuses slow the bind down, and their names in logs. */
export const SUBMIT_STATUS_RULES: CommandStatusRules = {
  isThrottling: (status) => submitErrorVerdict(status).action === 'throttle',
  describe: describeStatus,
};
