import type { SipCall } from '../../sip/userAgent.js';
import type { RtpPort } from '../../media/rtpPortPool.js';

/** What the connector keeps for a call in progress. */
export interface CallInProgress {
  uuid: string;
  call: SipCall;
  rtp: RtpPort;
  ringTimer: NodeJS.Timeout | null;
  /** The gateway gave up waiting for an answer (ring timeout → CANCEL → 602). */
  ringTimedOut: boolean;
  /** `delivered` was reported (answered, or rang for FLASHCALL). */
  delivered: boolean;
  /** Places the next call attempt (`sip.callAttempts`), or null when this was the last one. */
  redial: (() => Promise<boolean>) | null;
}

export function clearRingTimer(progress: CallInProgress): void {
  if (progress.ringTimer) clearTimeout(progress.ringTimer);
  progress.ringTimer = null;
}
