/**
 * One outgoing call: the transaction user (RFC 3261 §8.1, §13.2, §15) over an INVITE client transaction, with
 * CANCEL (§9.1), the ACK of a 2xx (§13.2.2.4), BYE (§15.1), digest challenges (§22.2, §22.3) and answers to
 * the requests the callee sends inside the dialog.
 */
import { EventEmitter } from 'node:events';
import { ChallengeResponder, type SipCredentials } from './challengeResponder.js';
import { buildInDialogRequest, createUacDialog, type Dialog } from './dialog.js';
import { parseCSeq, parseNameAddr, splitHeaderList, tagOf } from './headers.js';
import { newBranch, newCallId, newTag } from './ids.js';
import { headerValue, headerValues, serializeSipMessage, type SipHeader, type SipRequest, type SipResponse } from './message.js';
import type { ResponseSpec } from './serverTransactions.js';
import {
  cancelFor,
  InviteClientTransaction,
  NonInviteClientTransaction,
  type ClientTransactionUser,
  type TransactionEnvironment,
} from './clientTransactions.js';
import type { Destination } from './transport.js';
import { uriHost, uriTarget } from './uri.js';

export interface InviteRequest {
  /** The called number: the user part of the Request-URI. */
  to: string;
  /** The caller number: the user part of From (and Contact). */
  from: string;
  /** A number (made `<sip:number@domain>`) or a full name-addr/URI. */
  pAssertedIdentity?: string;
  /** The SDP offer. */
  sdp: string;
}

export interface RingingEvent {
  /** 180 or 183. */
  code: number;
  reason: string;
  /** Early media description, when the provisional response carried one. */
  sdp?: string;
}

export interface AnsweredEvent {
  /** The SDP answer (from the 2xx, else from an earlier provisional response; '' if none came). */
  sdp: string;
}

export interface FailedEvent {
  /** The final SIP status; null for a timeout, a transport error or a local abort. */
  code: number | null;
  reason: string;
}

export interface EndedEvent {
  /** Who sent the BYE first. */
  by: 'remote' | 'local';
}

/** Exactly one of `failed` or `answered` fires; `ended` follows `answered`. `ringing` may repeat (180, 183, …). */
export interface SipCallEvents {
  trying: [];
  ringing: [RingingEvent];
  answered: [AnsweredEvent];
  failed: [FailedEvent];
  ended: [EndedEvent];
}

/** What a call needs from its user agent. */
export interface CallEnvironment extends TransactionEnvironment {
  /** Host of Via and Contact. */
  readonly contactHost: string;
  readonly localPort: number;
  /** Host of the From URI. */
  readonly fromDomain: string;
  readonly userAgent: string;
  readonly trunk: { host: string; port: number };
  readonly credentials?: SipCredentials;
  resolve(host: string, port: number): Promise<Destination>;
  /** The call has its outcome; the user agent may forget it once late retransmissions are over. */
  released(call: SipCall): void;
}

type Phase = 'idle' | 'calling' | 'early' | 'confirmed' | 'terminating' | 'done';
type Outcome = 'pending' | 'answered' | 'failed' | 'ended';

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS';

/** Characters allowed unescaped in a SIP URI user part (RFC 3261 §25.1). */
function escapeUser(user: string): string {
  return user.replace(/[^A-Za-z0-9\-_.!~*'()&=+$,;?/]/g, (ch) =>
    [...Buffer.from(ch, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  );
}

function sdpOf(message: SipRequest | SipResponse): string | undefined {
  if (message.body.length === 0) return undefined;
  const type = headerValue(message, 'Content-Type');
  return type === undefined || /^\s*application\/sdp/i.test(type) ? message.body : undefined;
}

const ignoreResponses: ClientTransactionUser = { onResponse() {}, onTimeout() {}, onTransportError() {} };

export class SipCall extends EventEmitter<SipCallEvents> {
  readonly callId = newCallId();
  readonly localTag = newTag();
  readonly #env: CallEnvironment;
  readonly #requestUri: string;
  readonly #from: string;
  readonly #to: string;
  readonly #contact: string;
  readonly #pAssertedIdentity: string | undefined;
  readonly #sdp: string;

  #phase: Phase = 'idle';
  #outcome: Outcome = 'pending';
  #trunk: Destination | undefined;
  #cseq = 1;
  #invite: SipRequest | undefined;
  #inviteTx: InviteClientTransaction | undefined;
  #inviteCredentials: SipHeader[] = [];
  readonly #credentials: ChallengeResponder;
  #trying = false;
  #earlySdp: string | undefined;
  #cancelRequested = false;
  #cancelSent = false;
  #hangupRequested = false;
  #remoteHungUp = false;
  #dialog: Dialog | undefined;
  #ack: { data: Buffer; destination: Promise<Destination | null> } | undefined;
  #releasedForks = new Map<string, { data: Buffer; destination: Promise<Destination | null> }>();
  #timers = new Set<NodeJS.Timeout>();

  constructor(env: CallEnvironment, request: InviteRequest) {
    super();
    this.#env = env;
    this.#requestUri = `sip:${escapeUser(request.to)}@${uriHost(env.trunk.host)}:${env.trunk.port}`;
    this.#from = `<sip:${escapeUser(request.from)}@${env.fromDomain}>;tag=${this.localTag}`;
    this.#to = `<${this.#requestUri}>`;
    this.#contact = `<sip:${escapeUser(request.from)}@${env.contactHost}:${env.localPort}>`;
    const pai = request.pAssertedIdentity;
    this.#pAssertedIdentity =
      pai === undefined ? undefined : /[<:]/.test(pai) ? pai : `<sip:${escapeUser(pai)}@${env.fromDomain}>`;
    this.#sdp = request.sdp;
    this.#credentials = new ChallengeResponder(env.credentials);
  }

  /** Sends the INVITE. Never rejects: every failure ends as a `failed` event. */
  async start(): Promise<void> {
    let trunk: Destination;
    try {
      trunk = await this.#env.resolve(this.#env.trunk.host, this.#env.trunk.port);
    } catch (error) {
      this.#fail(null, `cannot resolve the trunk host ${this.#env.trunk.host}: ${(error as Error).message}`);
      return;
    }
    if (this.#phase !== 'idle') return; // cancelled or closed meanwhile
    this.#trunk = trunk;
    this.#sendInvite();
  }

  /**
   * Abandons the call. Before any provisional response the CANCEL waits for one (§9.1); after the answer this
   * is a hangup. The INVITE then ends with 487 (`failed`), or is answered anyway and released with BYE.
   */
  cancel(): void {
    switch (this.#phase) {
      case 'idle':
        this.#cancelRequested = true;
        this.#fail(null, 'cancelled before the INVITE was sent');
        return;
      case 'calling':
        this.#cancelRequested = true;
        return;
      case 'early':
        this.#cancelRequested = true;
        if (!this.#cancelSent) this.#sendCancel();
        return;
      case 'confirmed':
        this.hangup();
        return;
      default:
        return;
    }
  }

  /** Ends the call: BYE once answered, CANCEL before. */
  hangup(): void {
    if (this.#phase === 'confirmed') {
      if (this.#outcome === 'answered') this.#sendBye([]);
      else this.#hangupRequested = true; // the ACK is still on its way; BYE right after it
      return;
    }
    if (this.#phase === 'idle' || this.#phase === 'calling' || this.#phase === 'early') this.cancel();
  }

  // ---- the INVITE ----

  #via(branch: string): string {
    return `SIP/2.0/UDP ${this.#env.contactHost}:${this.#env.localPort};rport;branch=${branch}`;
  }

  #sendInvite(): void {
    const headers: SipHeader[] = [
      { name: 'Via', value: this.#via(newBranch()) },
      { name: 'Max-Forwards', value: '70' },
      { name: 'From', value: this.#from },
      { name: 'To', value: this.#to },
      { name: 'Call-ID', value: this.callId },
      { name: 'CSeq', value: `${this.#cseq} INVITE` },
      { name: 'Contact', value: this.#contact },
      ...this.#inviteCredentials,
      ...(this.#pAssertedIdentity ? [{ name: 'P-Asserted-Identity', value: this.#pAssertedIdentity }] : []),
      { name: 'User-Agent', value: this.#env.userAgent },
      { name: 'Allow', value: ALLOW },
      { name: 'Content-Type', value: 'application/sdp' },
    ];
    const invite: SipRequest = { kind: 'request', method: 'INVITE', uri: this.#requestUri, headers, body: this.#sdp };
    this.#invite = invite;
    this.#phase = 'calling';
    this.#cancelSent = false;
    const tx: InviteClientTransaction = new InviteClientTransaction(invite, this.#trunk!, this.#env, {
      onResponse: (response) => {
        if (this.#inviteTx === tx) this.#onInviteResponse(response);
      },
      onTimeout: () => {
        if (this.#inviteTx === tx) this.#fail(null, 'no response to the INVITE (Timer B)');
      },
      onTransportError: (error) => {
        if (this.#inviteTx === tx) this.#fail(null, `transport error: ${error.message}`);
      },
    });
    this.#inviteTx = tx;
    tx.start();
  }

  #onInviteResponse(response: SipResponse): void {
    if (this.#phase === 'done') {
      if (response.status >= 200 && response.status < 300) this.handleStray2xx(response);
      return;
    }
    if (response.status < 200) this.#onProvisional(response);
    else if (response.status < 300) this.#onSuccess(response);
    else this.#onFailure(response);
  }

  #onProvisional(response: SipResponse): void {
    if (this.#phase === 'calling') this.#phase = 'early';
    const sdp = sdpOf(response);
    if (sdp !== undefined) this.#earlySdp = sdp;
    if (response.status === 100) {
      if (!this.#trying) {
        this.#trying = true;
        this.emit('trying');
      }
    } else if (response.status === 180 || response.status === 183) {
      this.emit('ringing', { code: response.status, reason: response.reason, ...(sdp !== undefined ? { sdp } : {}) });
    }
    // A cancel() that came before any provisional response waited for this one (§9.1).
    if (this.#cancelRequested && !this.#cancelSent && this.#phase === 'early') this.#sendCancel();
  }

  #onFailure(response: SipResponse): void {
    const { status } = response;
    if ((status === 401 || status === 407) && !this.#cancelRequested) {
      const credentials = this.#credentials.answer(response, { method: 'INVITE', uri: this.#requestUri, body: this.#sdp });
      if (credentials) {
        // §22.2: the same request again, with credentials, a new branch and CSeq + 1 (§8.1.3.5).
        this.#inviteCredentials = credentials;
        this.#cseq += 1;
        this.#sendInvite();
        return;
      }
    }
    this.#fail(status, response.reason || `SIP ${status}`);
  }

  #sendCancel(): void {
    this.#cancelSent = true;
    new NonInviteClientTransaction(cancelFor(this.#invite!), this.#trunk!, this.#env, ignoreResponses).start();
    // §9.1: without a final response 64·T1 after the CANCEL, the INVITE transaction is given up.
    this.#after(this.#env.timers.b, () => {
      if (this.#phase !== 'calling' && this.#phase !== 'early') return;
      this.#inviteTx?.terminate();
      this.#fail(null, 'no final response to the INVITE after CANCEL');
    });
  }

  // ---- the answer ----

  #onSuccess(response: SipResponse): void {
    const remoteTag = tagOf(headerValue(response, 'To')) ?? '';
    if (this.#dialog) {
      if (remoteTag === this.#dialog.remoteTag) this.#resendAck();
      else this.handleStray2xx(response);
      return;
    }
    const dialog = createUacDialog(this.#invite!, response);
    this.#dialog = dialog;
    this.#phase = 'confirmed';
    const sdp = sdpOf(response) ?? this.#earlySdp ?? '';
    const ack = this.#ackFor(dialog);
    this.#ack = ack;
    void ack.destination.then((destination) => {
      if (this.#outcome !== 'pending') return; // closed meanwhile
      if (!destination) {
        this.#fail(null, `cannot reach ${dialog.remoteTarget} to acknowledge the answer`);
        return;
      }
      this.#env.send(ack.data, destination, () => {});
      this.#outcome = 'answered';
      this.emit('answered', { sdp });
      if (this.#remoteHungUp) this.#end('remote');
      else if (this.#cancelRequested || this.#hangupRequested) this.#sendBye([]);
    });
  }

  /**
   * The ACK of a 2xx (§13.2.2.4): a new transaction, built like any request in the dialog, with the INVITE's
   * CSeq number and credentials.
   */
  #ackFor(dialog: Dialog): { data: Buffer; destination: Promise<Destination | null> } {
    const { request, nextHop } = buildInDialogRequest(dialog, {
      method: 'ACK',
      cseq: dialog.localSeq,
      via: this.#via(newBranch()),
      headers: [
        { name: 'Contact', value: this.#contact },
        ...this.#inviteCredentials,
        { name: 'User-Agent', value: this.#env.userAgent },
      ],
    });
    return { data: serializeSipMessage(request), destination: this.#resolveUri(nextHop) };
  }

  #resendAck(): void {
    const ack = this.#ack;
    if (!ack) return;
    void ack.destination.then((destination) => {
      if (destination) this.#env.send(ack.data, destination, () => {});
    });
  }

  /**
   * A 2xx that is not our dialog's: another fork answered, or the answer came after we gave up. It must be
   * acknowledged and then released with BYE (§13.2.2.4); its retransmissions are only acknowledged again.
   */
  handleStray2xx(response: SipResponse): void {
    if (this.#dialog && (tagOf(headerValue(response, 'To')) ?? '') === this.#dialog.remoteTag) {
      this.#resendAck();
      return;
    }
    if (!this.#invite) return;
    const dialog = createUacDialog(this.#invite, response);
    const known = this.#releasedForks.get(dialog.remoteTag);
    if (known) {
      void known.destination.then((destination) => destination && this.#env.send(known.data, destination, () => {}));
      return;
    }
    const ack = this.#ackFor(dialog);
    this.#releasedForks.set(dialog.remoteTag, ack);
    void ack.destination.then((destination) => {
      if (!destination) return;
      this.#env.send(ack.data, destination, () => {});
      dialog.localSeq += 1;
      const { request, nextHop } = buildInDialogRequest(dialog, {
        method: 'BYE',
        cseq: dialog.localSeq,
        via: this.#via(newBranch()),
        headers: [{ name: 'User-Agent', value: this.#env.userAgent }],
      });
      this.#startNonInvite(request, nextHop, ignoreResponses);
    });
  }

  // ---- the end ----

  #sendBye(credentials: SipHeader[]): void {
    const dialog = this.#dialog!;
    this.#phase = 'terminating';
    dialog.localSeq += 1;
    const { request, nextHop } = buildInDialogRequest(dialog, {
      method: 'BYE',
      cseq: dialog.localSeq,
      via: this.#via(newBranch()),
      headers: [...credentials, { name: 'User-Agent', value: this.#env.userAgent }],
    });
    this.#startNonInvite(request, nextHop, {
      onResponse: (response) => {
        if (response.status < 200 || this.#outcome !== 'answered') return;
        if (response.status === 401 || response.status === 407) {
          const retry = this.#credentials.answer(response, { method: 'BYE', uri: request.uri, body: '' });
          if (retry) {
            this.#sendBye(retry);
            return;
          }
        }
        this.#end('local');
      },
      // Whatever became of the BYE, the call is over for us (§15.1.1).
      onTimeout: () => this.#end('local'),
      onTransportError: () => this.#end('local'),
    });
  }

  /** A request the far end sent in our dialog (§12.2.2); the user agent sends the response. */
  handleRequest(request: SipRequest): ResponseSpec {
    const dialog = this.#dialog;
    if (!dialog || tagOf(headerValue(request, 'From')) !== dialog.remoteTag || this.#phase === 'done') {
      return { status: 481, reason: 'Call/Transaction Does Not Exist' };
    }
    const cseq = parseCSeq(headerValue(request, 'CSeq') ?? '')?.seq ?? 0;
    if (dialog.remoteSeq !== undefined && cseq < dialog.remoteSeq) return { status: 500, reason: 'Server Internal Error' };
    dialog.remoteSeq = cseq;
    switch (request.method) {
      case 'BYE':
        if (this.#phase === 'terminating') this.#end('local');
        else if (this.#outcome === 'pending') this.#remoteHungUp = true;
        else this.#end('remote');
        return { status: 200, reason: 'OK' };
      case 'INVITE':
      case 'UPDATE': {
        // A target refresh (§12.2.2); our session is unchanged, so our answer is the description we offered.
        const contact = headerValues(request, 'Contact').flatMap(splitHeaderList)[0];
        const target = contact === undefined ? undefined : parseNameAddr(contact)?.uri;
        if (target) dialog.remoteTarget = target;
        const withBody = request.method === 'INVITE' || sdpOf(request) !== undefined;
        return {
          status: 200,
          reason: 'OK',
          headers: [
            { name: 'Contact', value: this.#contact },
            { name: 'Allow', value: ALLOW },
            ...(withBody ? [{ name: 'Content-Type', value: 'application/sdp' }] : []),
          ],
          ...(withBody ? { body: this.#sdp } : {}),
        };
      }
      default:
        return { status: 200, reason: 'OK', headers: [{ name: 'Allow', value: ALLOW }] };
    }
  }

  /** Our 2xx to a re-INVITE was never acknowledged: the session is ended (§13.3.1.4). */
  unacknowledged(): void {
    if (this.#phase === 'confirmed' && this.#outcome === 'answered') this.#sendBye([]);
  }

  /** The user agent is closing: stop every timer and report the call as over, without sending anything. */
  shutdown(): void {
    this.#inviteTx?.terminate();
    if (this.#outcome === 'pending') this.#fail(null, 'the user agent was closed');
    else if (this.#outcome === 'answered') this.#end('local');
    this.#phase = 'done';
    this.#clearTimers();
  }

  #fail(code: number | null, reason: string): void {
    if (this.#outcome !== 'pending') return;
    this.#outcome = 'failed';
    this.#phase = 'done';
    this.#clearTimers();
    this.#env.released(this);
    this.emit('failed', { code, reason });
  }

  #end(by: 'remote' | 'local'): void {
    if (this.#outcome !== 'answered') return;
    this.#outcome = 'ended';
    this.#phase = 'done';
    this.#clearTimers();
    this.#env.released(this);
    this.emit('ended', { by });
  }

  // ---- helpers ----

  #resolveUri(uri: string): Promise<Destination | null> {
    const target = uriTarget(uri);
    if (!target) return Promise.resolve(null);
    return this.#env.resolve(target.host, target.port).catch(() => null);
  }

  #startNonInvite(request: SipRequest, nextHop: string, user: ClientTransactionUser): void {
    void this.#resolveUri(nextHop).then((destination) => {
      if (!destination) {
        user.onTransportError(new Error(`cannot resolve ${nextHop}`));
        return;
      }
      new NonInviteClientTransaction(request, destination, this.#env, user).start();
    });
  }

  #after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
  }

  #clearTimers(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
