/**
 * Transaction timer values (RFC 3261 §17, Table 4) for UDP. T2 and T4 keep their default ratio to T1
 * (4 s and 5 s for T1 = 500 ms), so a short T1 in tests shortens every timer alike.
 */
export interface SipTimerValues {
  /** RTT estimate; first retransmission interval (Timers A and E). */
  t1: number;
  /** Cap of non-INVITE retransmission intervals. */
  t2: number;
  /** How long a message may stay in the network. */
  t4: number;
  /** INVITE transaction timeout (64·T1). */
  b: number;
  /** Wait for response retransmissions after a non-2xx final (≥ 32 s for UDP). */
  d: number;
  /** Non-INVITE transaction timeout (64·T1). */
  f: number;
  /** Wait for response retransmissions after a non-INVITE final (T4 for UDP). */
  k: number;
}

export const DEFAULT_T1_MS = 500;

export function sipTimerValues(t1Ms: number = DEFAULT_T1_MS): SipTimerValues {
  if (!(t1Ms > 0)) throw new Error(`T1 must be positive, got ${t1Ms}`);
  const t4 = 10 * t1Ms;
  return { t1: t1Ms, t2: 8 * t1Ms, t4, b: 64 * t1Ms, d: 64 * t1Ms, f: 64 * t1Ms, k: t4 };
}
