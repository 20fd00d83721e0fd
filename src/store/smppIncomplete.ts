/**
 * The timeline detail of a part of a concatenated message that became a message of its own, `unsent` 616
 * (smpp-interface.md §3, smppDoor.ts failIncomplete), in the shape of every other report's row (domain/timelineDetail.ts:
 * where it came from, why, the code, the statuses and the callback events it caused). The same on both stores.
 */
export function incompleteNote(errorCode: number, callbacks: readonly { payload: string }[]): string {
  return JSON.stringify({
    source: 'smpp',
    detail: 'concatenation incomplete',
    errorCode,
    statuses: ['unsent'],
    callbacks: callbacks.map((c) => (JSON.parse(c.payload) as { callback_event?: unknown }).callback_event ?? null),
  });
}
