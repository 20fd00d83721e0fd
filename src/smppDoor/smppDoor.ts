/**
 * The SMPP door for clients (`smpp-interface.md`): what the gateway as SMSC decides for each session. The session
 * layer (smpp/server/) only reads and writes PDUs; here a bind is checked (§2), a submit becomes a message through
 * the same acceptance as `POST /api/v1/message` (§3), query_sm reads the message and cancel_sm stops it, and bound
 * receivers are handed to the deliver sender (§4).
 */
import { verifySmppPassword } from '../auth/smppPasswords.js';
import { queryStateOf, SMPP_STATUS } from '../domain/smppRules.js';
import { isAllowed, type SmppUser } from '../domain/smppUser.js';
import { isFinal } from '../domain/statuses.js';
import type { SmscHandlers, SmscSession } from '../smpp/server/smscSession.js';
import { ThroughputGate } from '../smpp/server/throughputGate.js';
import type { BindDecision, BindRequest, SmscAnswer, SmscRequest } from '../smpp/server/smscTypes.js';
import type { SmppLogger } from '../smpp/session.js';
import { toSmppAbsoluteTime } from '../smpp/validityPeriod.js';
import type { Store } from '../store/store.js';
import type { Concatenations } from './concatenations.js';
import type { DeliverSender } from './deliverSender.js';
import { mapSubmit } from './submitMapping.js';
import type { SubmitAcceptor } from './submitAcceptor.js';

export interface SmppDoorDeps {
  store: Store;
  acceptor: SubmitAcceptor;
  concatenations: Concatenations;
  sender: DeliverSender;
  now: () => number;
  logger?: SmppLogger;
}

/** The user a session bound as (SmscSession.user holds what bind() decided). */
function userOf(session: SmscSession): SmppUser {
  return session.user as SmppUser;
}

export function smppDoorHandlers(deps: SmppDoorDeps): SmscHandlers {
  const { store } = deps;
  /** Sessions whose bind was recorded in the store, until they close. */
  const recorded = new Set<SmscSession>();
  /** A user's `throughput` is the user's, shared by its sessions on this node (spec §2). */
  const gates = new Map<number, ThroughputGate>();
  const gateOf = (user: SmppUser): ThroughputGate => {
    let gate = gates.get(user.id);
    if (!gate || gate.limit !== user.throughput) gates.set(user.id, (gate = new ThroughputGate(user.throughput)));
    return gate;
  };

  async function bind(request: BindRequest, session: SmscSession): Promise<BindDecision> {
    // Spec §2, in the table's order: the Bind-failed conditions a known user can be told apart by, then the id,
    // the password and the number of binds. (A malformed bind and its interface_version were refused before.)
    const found = await store.smppUsers.bySystemId(request.systemId);
    if (found && !isAllowed(found.user.allowList, request.remoteAddress)) return { ok: false, status: SMPP_STATUS.bindFailed };
    const account = found ? await store.accounts.byId(found.user.accountId) : null;
    if (found && (!account || account.suspended)) return { ok: false, status: SMPP_STATUS.bindFailed };
    if (!found || found.user.revokedAt !== null) return { ok: false, status: SMPP_STATUS.invalidSystemId };
    if (!(await verifySmppPassword(request.password, found.passwordHash))) return { ok: false, status: SMPP_STATUS.invalidPassword };
    const { user } = found;
    const opened = await store.smpp.openBind(user.id, user.maxBinds, { sessionId: session.id, bindType: request.bindType, remoteAddress: request.remoteAddress }, deps.now());
    if (!opened) return { ok: false, status: SMPP_STATUS.alreadyBound };
    recorded.add(session);
    if (session.state === 'closed') forget(session);
    return { ok: true, user, window: user.window, throughput: user.throughput, gate: gateOf(user) };
  }

  function forget(session: SmscSession): void {
    deps.sender.remove(session);
    if (!recorded.delete(session)) return;
    store.smpp.closeBind(session.id).catch((error: unknown) => deps.logger?.warn({ err: String(error), smppSession: session.id }, 'SMPP bind not released'));
  }

  async function submit(session: SmscSession, pdu: SmscRequest): Promise<SmscAnswer> {
    const user = userOf(session);
    const mapping = mapSubmit(pdu.fields, { now: deps.now(), callbackUrl: user.callbackUrl });
    if (!mapping.ok) return { status: mapping.status };
    const { submit: mapped } = mapping;
    const outcome = mapped.part
      ? await deps.concatenations.submitPart(user, { ...mapped, part: mapped.part })
      : await deps.acceptor.accept(user, mapped.item, mapped.receipts);
    return outcome.status === SMPP_STATUS.ok ? { status: SMPP_STATUS.ok, messageId: outcome.messageId! } : { status: outcome.status };
  }

  async function messageOf(session: SmscSession, pdu: SmscRequest) {
    const user = userOf(session);
    const messageId = typeof pdu.fields.message_id === 'string' ? pdu.fields.message_id : '';
    const uuid = messageId === '' ? null : await store.smpp.messageOf(user.id, messageId);
    return { user, messageId, message: uuid === null ? null : await store.messages.get(user.accountId, uuid) };
  }

  async function query(session: SmscSession, pdu: SmscRequest): Promise<SmscAnswer> {
    const { messageId, message } = await messageOf(session, pdu);
    if (!message) return { status: SMPP_STATUS.queryFailed };
    const final = isFinal(message.status);
    const errorCode = message.errorCode ?? 0;
    return {
      status: SMPP_STATUS.ok,
      fields: {
        message_id: messageId,
        final_date: final && message.statusAt ? toSmppAbsoluteTime(message.statusAt) : '',
        message_state: queryStateOf(message.status, message.errorCode ?? null),
        // One octet (SMPP 3.4 §4.8.2): the §13 code when it fits, else 0 (the receipt's network_error_code has it).
        error_code: errorCode <= 0xff ? errorCode : 0,
      },
    };
  }

  async function cancel(session: SmscSession, pdu: SmscRequest): Promise<SmscAnswer> {
    const { user, message } = await messageOf(session, pdu);
    if (!message) return { status: SMPP_STATUS.cancelFailed };
    const [code] = await store.messages.stop(user.accountId, [message.uuid], deps.now());
    return { status: code === 200 ? SMPP_STATUS.ok : SMPP_STATUS.cancelFailed };
  }

  return {
    bind,
    submit,
    query,
    cancel,
    bound: (session) => deps.sender.add(userOf(session), session),
    closed: forget,
  };
}
