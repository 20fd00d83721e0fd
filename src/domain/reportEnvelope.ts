import type { Report } from './lifecycle.js';

/**
 * A report on one message, with where it came from (for the timeline). It names the message by uuid, or by
 * the network's id of one of its parts (`carrierRef`: the id's lookup keys, exact text first).
 */
export interface ReportEnvelope {
  uuid?: string;
  carrierRef?: { connector: string; keys: string[] };
  report: Report;
  /** Who reported: `engine`, a connector name, `api`. */
  source: string;
  detail?: string;
  /** On hand-off: the connector and the network ids of the accepted parts, so late reports can find them. */
  handoff?: Handoff;
}

/** The connector a message was handed to and the network ids of its accepted parts, one list of keys per part. */
export interface Handoff {
  connector: string;
  carrierRefs: string[][];
}
