import { countryOf } from '../domain/country.js';
import { estimatePrice, type PriceTable } from '../domain/prices.js';
import { scheduleZone, sendPlan } from '../domain/schedule.js';
import { withShortLinks } from '../domain/shortLinks.js';
import { countSmsParts } from '../domain/smsParts.js';
import { newShortLinkSlug } from '../store/messageIds.js';
import { validateBatch } from '../domain/validateBatch.js';
import type { AcceptCandidate, AcceptResult, HeldClaim, Store, StoredResponse } from '../store/store.js';
import type { MessageDraft } from '../domain/message.js';
import type { Principal } from '../domain/principal.js';

export type SendItemResult =
  | { messageUuid: string; code: 201 }
  | { code: number; error: { code: number; msg: string } };

export interface SendResponseBody {
  errors: boolean;
  items: SendItemResult[];
}

export function sendResponse(results: AcceptResult[]): StoredResponse {
  const items = results.map((r): SendItemResult =>
    r.accepted ? { messageUuid: r.uuid, code: 201 } : { code: r.rejection.code, error: { code: r.rejection.code, msg: r.rejection.msg } },
  );
  const body: SendResponseBody = { errors: items.some((i) => i.code !== 201), items };
  return { status: 200, body: JSON.stringify(body) };
}

function validationFailure(msg: string, details: unknown[] | null): StoredResponse {
  const error = details === null ? { code: 4220, msg } : { code: 4220, msg, details };
  return { status: 422, body: JSON.stringify({ error }) };
}

/** What the gateway works out for a valid draft before the business checks: short links, country, schedule, price. */
export function candidateOf(validated: MessageDraft, deps: { prices: PriceTable; now: number; shortLinkBase: () => string }): AcceptCandidate {
  const { draft, links } = validated.shortUrl
    ? withShortLinks(validated, deps.shortLinkBase(), newShortLinkSlug, (text) => countSmsParts(text).parts)
    : { draft: validated, links: [] };
  const countryCode = countryOf(draft.destination);
  const timeZone = scheduleZone(draft, draft.destination, countryCode);
  const schedule = { timeZone, ...sendPlan(draft, timeZone, deps.now) };
  return { draft, price: estimatePrice(draft, deps.prices), countryCode, schedule, shortLinks: links };
}

/**
 * `POST /api/v1/message` after authentication and parsing (spec §5.2 steps 3–6). Returns the response to
 * send; with an idempotency claim, the response is stored with the key in the transaction that creates the
 * messages, so a crash can never leave messages created without their stored answer.
 */
export async function sendMessages(
  deps: { store: Store; prices: PriceTable; now: number; shortLinkBase: () => string },
  principal: Principal,
  body: unknown,
  idempotency: HeldClaim | null,
): Promise<StoredResponse> {
  const account = await deps.store.accounts.byId(principal.accountId);
  if (!account) throw new Error(`Account ${principal.accountId} vanished`);
  const validation = validateBatch(body, { now: deps.now, flashcallCodeLengths: account.flashcallCodeLengths });
  if (!validation.ok) {
    const response = validationFailure(validation.msg, validation.details);
    if (idempotency !== null) await deps.store.idempotency.complete(principal.accountId, idempotency, response);
    return response;
  }
  const candidates = validation.drafts.map((validated) => candidateOf(validated, deps));
  let response: StoredResponse | null = null;
  const results = await deps.store.messages.accept(
    {
      accountId: principal.accountId,
      trafficCenterId: principal.trafficCenterId,
      candidates,
      idempotency: idempotency === null ? undefined : { ...idempotency, respond: (r) => (response = sendResponse(r)) },
    },
    deps.now,
  );
  return response ?? sendResponse(results);
}
