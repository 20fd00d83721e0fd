/**
 * Client transactions over UDP (RFC 3261 §17.1): the INVITE one (Timers A, B, D; ACK of a non-2xx final in
 * the same transaction) and the non-INVITE one (Timers E, F, K). Matched by top-Via branch + CSeq method.
 */
import { parseCSeq, splitHeaderList, parseVia } from './headers.js';
import { headerValue, headerValues, serializeSipMessage, type SipHeader, type SipMessage, type SipRequest, type SipResponse } from './message.js';
import type { SipTimerValues } from './timers.js';
import type { Destination } from './transport.js';

export interface ClientTransaction {
  readonly key: string;
  /** False when the response is not the transaction's to absorb (a 2xx after a non-2xx final: another fork's). */
  receive(response: SipResponse): boolean;
  /** Stops every timer and forgets the transaction, without telling its user. */
  terminate(): void;
}

export interface TransactionEnvironment {
  readonly timers: SipTimerValues;
  send(data: Buffer, to: Destination, onError: (error: Error) => void): void;
  register(key: string, transaction: ClientTransaction): void;
  unregister(key: string): void;
}

/** The transaction user: the call that owns the request. */
export interface ClientTransactionUser {
  onResponse(response: SipResponse): void;
  /** Timer B (INVITE) or F (non-INVITE) fired without a response that ends the wait. */
  onTimeout(): void;
  onTransportError(error: Error): void;
}

/** RFC 3261 §17.1.3: a response belongs to the transaction whose branch and method it carries. */
export function transactionKey(branch: string, method: string): string {
  return `${branch} ${method.toUpperCase()}`;
}

/** The first Via value of a message (a header line may hold several). */
export function topVia(message: SipMessage): string | undefined {
  const first = headerValues(message, 'Via')[0];
  return first === undefined ? undefined : splitHeaderList(first)[0];
}

/** The key of the client transaction a response belongs to, if it is well-formed enough to have one. */
export function responseTransactionKey(response: SipResponse): string | undefined {
  const via = topVia(response);
  const branch = via === undefined ? undefined : parseVia(via)?.params['branch'];
  const cseq = parseCSeq(headerValue(response, 'CSeq') ?? '');
  if (!branch || !cseq) return undefined;
  return transactionKey(branch, cseq.method);
}

function requiredHeader(message: SipMessage, name: string): string {
  const value = headerValue(message, name);
  if (value === undefined) throw new Error(`${name} missing`);
  return value;
}

function cseqNumber(request: SipRequest): number {
  const cseq = parseCSeq(requiredHeader(request, 'CSeq'));
  if (!cseq) throw new Error('malformed CSeq');
  return cseq.seq;
}

/**
 * The ACK of a non-2xx final response (RFC 3261 §17.1.1.3): same Request-URI, top Via (so the same branch),
 * From, Call-ID and CSeq number as the INVITE, the To of the response (its tag), and the INVITE's Route set.
 */
export function ackForFailure(invite: SipRequest, response: SipResponse): SipRequest {
  const headers: SipHeader[] = [
    { name: 'Via', value: topVia(invite)! },
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: requiredHeader(invite, 'From') },
    { name: 'To', value: requiredHeader(response, 'To') },
    { name: 'Call-ID', value: requiredHeader(invite, 'Call-ID') },
    { name: 'CSeq', value: `${cseqNumber(invite)} ACK` },
    ...invite.headers.filter((header) => header.name === 'Route' || header.name === 'User-Agent'),
  ];
  return { kind: 'request', method: 'ACK', uri: invite.uri, headers, body: '' };
}

/**
 * The CANCEL of a request (RFC 3261 §9.1): same Request-URI, Call-ID, To, From and CSeq number, a single Via
 * equal to the request's top Via (so it shares its branch), the same Route headers, method CANCEL.
 */
export function cancelFor(request: SipRequest): SipRequest {
  const headers: SipHeader[] = [
    { name: 'Via', value: topVia(request)! },
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: requiredHeader(request, 'From') },
    { name: 'To', value: requiredHeader(request, 'To') },
    { name: 'Call-ID', value: requiredHeader(request, 'Call-ID') },
    { name: 'CSeq', value: `${cseqNumber(request)} CANCEL` },
    ...request.headers.filter((header) => header.name === 'Route' || header.name === 'User-Agent'),
  ];
  return { kind: 'request', method: 'CANCEL', uri: request.uri, headers, body: '' };
}

abstract class BaseClientTransaction implements ClientTransaction {
  readonly key: string;
  protected readonly data: Buffer;
  #timers = new Set<NodeJS.Timeout>();
  #retransmission: NodeJS.Timeout | undefined;
  #terminated = false;

  constructor(
    protected readonly request: SipRequest,
    protected readonly destination: Destination,
    protected readonly env: TransactionEnvironment,
    protected readonly user: ClientTransactionUser,
  ) {
    const via = topVia(request);
    const branch = via === undefined ? undefined : parseVia(via)?.params['branch'];
    if (!branch) throw new Error(`${request.method} without a Via branch`);
    this.key = transactionKey(branch, request.method);
    this.data = serializeSipMessage(request);
  }

  start(): void {
    this.env.register(this.key, this);
    this.sendRequest();
    this.started();
  }

  abstract receive(response: SipResponse): boolean;
  protected abstract started(): void;
  /** Whether a transport error still matters to the user (no final response yet). */
  protected abstract awaitingFinal(): boolean;

  protected sendRequest(): void {
    this.transmit(this.data);
  }

  protected transmit(data: Buffer): void {
    this.env.send(data, this.destination, (error) => {
      if (this.#terminated || !this.awaitingFinal()) return;
      this.terminate();
      this.user.onTransportError(error);
    });
  }

  protected after(ms: number, action: () => void): NodeJS.Timeout | undefined {
    if (this.#terminated) return undefined;
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }

  /**
   * Retransmits the request T1 after sending it, then after each interval nextInterval gives. Each time is
   * counted from the previous scheduled time, not from when the event loop ran the timer, so that late
   * timers never push retransmissions past the transaction timeout.
   */
  protected retransmit(nextInterval: (previous: number) => number): void {
    const origin = performance.now();
    let due = 0;
    let interval = this.env.timers.t1;
    const schedule = () => {
      due += interval;
      this.#retransmission = this.after(Math.max(0, origin + due - performance.now()), () => {
        this.sendRequest();
        interval = nextInterval(interval);
        schedule();
      });
    };
    schedule();
  }

  protected stopRetransmitting(): void {
    this.stopTimer(this.#retransmission);
  }

  protected stopTimer(timer: NodeJS.Timeout | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(timer);
  }

  get terminated(): boolean {
    return this.#terminated;
  }

  terminate(): void {
    if (this.#terminated) return;
    this.#terminated = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.env.unregister(this.key);
  }
}

export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'terminated';

/** RFC 3261 §17.1.1, Figure 5. A 2xx ends it at once: the call ACKs a 2xx itself (§13.2.2.4). */
export class InviteClientTransaction extends BaseClientTransaction {
  #state: InviteClientState = 'calling';
  #timerB: NodeJS.Timeout | undefined;
  #ack: Buffer | undefined;

  get state(): InviteClientState {
    return this.#state;
  }

  protected started(): void {
    this.retransmit((interval) => 2 * interval); // Timer A doubles without a cap (§17.1.1.2)
    this.#timerB = this.after(this.env.timers.b, () => {
      this.terminate();
      this.user.onTimeout();
    });
  }

  protected awaitingFinal(): boolean {
    return this.#state === 'calling' || this.#state === 'proceeding';
  }

  receive(response: SipResponse): boolean {
    if (this.#state === 'completed') {
      if (response.status >= 200 && response.status < 300) return false;
      // A retransmitted final: the ACK was lost, send it again; the user has seen this response already.
      if (response.status >= 300 && this.#ack) this.transmit(this.#ack);
      return true;
    }
    if (!this.awaitingFinal()) return false;
    this.stopRetransmitting();
    this.stopTimer(this.#timerB);
    if (response.status < 200) {
      this.#state = 'proceeding';
    } else if (response.status < 300) {
      this.terminate();
    } else {
      this.#ack = serializeSipMessage(ackForFailure(this.request, response));
      this.transmit(this.#ack);
      this.#state = 'completed';
      this.after(this.env.timers.d, () => this.terminate());
    }
    this.user.onResponse(response);
    return true;
  }

  override terminate(): void {
    this.#state = 'terminated';
    super.terminate();
  }
}

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

/** RFC 3261 §17.1.2, Figure 6. */
export class NonInviteClientTransaction extends BaseClientTransaction {
  #state: NonInviteClientState = 'trying';
  #timerF: NodeJS.Timeout | undefined;

  get state(): NonInviteClientState {
    return this.#state;
  }

  protected started(): void {
    // Timer E: doubling up to T2 while trying; every T2 once a provisional response came (§17.1.2.2).
    const t2 = this.env.timers.t2;
    this.retransmit((interval) => (this.#state === 'trying' ? Math.min(2 * interval, t2) : t2));
    this.#timerF = this.after(this.env.timers.f, () => {
      this.terminate();
      this.user.onTimeout();
    });
  }

  protected awaitingFinal(): boolean {
    return this.#state === 'trying' || this.#state === 'proceeding';
  }

  receive(response: SipResponse): boolean {
    if (!this.awaitingFinal()) return true; // retransmissions of the final are absorbed
    if (response.status < 200) {
      this.#state = 'proceeding';
    } else {
      this.stopRetransmitting();
      this.stopTimer(this.#timerF);
      this.#state = 'completed';
      this.after(this.env.timers.k, () => this.terminate());
    }
    this.user.onResponse(response);
    return true;
  }

  override terminate(): void {
    this.#state = 'terminated';
    super.terminate();
  }
}
