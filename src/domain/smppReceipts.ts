/**
 * Which status changes of a message submitted over SMPP owe its client a delivery receipt (smpp-interface.md §4):
 * the first change to a status that has a receipt (domain/smppRules.ts), if `registered_delivery` asked for it. A
 * message gets one receipt at most: `read` after `delivered` repeats nothing, and `unread` has none.
 */
import type { Status } from './channels.js';
import type { StatusChange } from './lifecycle.js';
import { receiptStatusOf, sendsReceipt, type ReceiptRequest } from './smppRules.js';

/**
 * Whether a message in `status` is past the point where its receipt is decided: any status after `sent`. (`unread`
 * comes after `delivered`, whose receipt was the one; a VK community message that goes from `sent` to `unread` at
 * the end of its lifetime was never reported delivered, and gets none.)
 */
function receiptDecided(status: Status): boolean {
  return status !== 'sending' && status !== 'sent';
}

/** The changes, of those a report makes to a message now in `from`, that send a receipt (none or one). */
export function receiptChanges(request: ReceiptRequest, from: Status, changes: readonly StatusChange[]): StatusChange[] {
  let status = from;
  for (const change of changes) {
    const decided = receiptDecided(status);
    status = change.status;
    if (decided || receiptStatusOf(change.status, change.errorCode) === null) continue;
    return sendsReceipt(request, change.status, change.errorCode) ? [change] : [];
  }
  return [];
}
