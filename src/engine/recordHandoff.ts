import { estimatePrice, type PriceTable } from '../domain/prices.js';
import type { HandoffResult } from '../connectors/connector.js';
import type { ClaimedMessage } from '../store/store.js';
import type { GroupCommit } from './groupCommit.js';

/** What a hand-off's result writes: the reports (status, money, carrier refs) or the wait until the next try. */
export function recordHandoff(outcomes: GroupCommit, connector: string, message: ClaimedMessage, result: HandoffResult, at: number, prices: PriceTable): void {
  const detail = result.detail === undefined ? {} : { detail: result.detail };
  if (result.kind === 'sent') {
    const via = result.via ?? connector;
    outcomes.report({
      uuid: message.uuid,
      source: via,
      ...detail,
      report: { kind: 'sent', at, price: result.price ?? estimatePrice(message, prices) },
      handoff: { connector: via, carrierRefs: result.carrierRefs ?? [] },
    });
  } else if (result.kind === 'undelivered') {
    outcomes.report({ uuid: message.uuid, source: connector, report: { kind: 'sent', at, price: 0 }, handoff: { connector, carrierRefs: [] } });
    outcomes.report({ uuid: message.uuid, source: connector, ...detail, report: { kind: 'undelivered', at, errorCode: result.errorCode } });
  } else if (result.kind === 'refused') {
    outcomes.report({ uuid: message.uuid, source: connector, ...detail, report: { kind: 'unsent', at, errorCode: result.errorCode } });
  } else {
    outcomes.wait({ uuid: message.uuid, dueAt: at + result.afterMs, note: `${connector}: ${result.detail ?? 'try again later'}` });
  }
}
