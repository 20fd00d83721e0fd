/**
 * The little UAS side a UAC needs (RFC 3261 §8.2.6, §17.2, §13.3.1.4): answering the far end's requests
 * (BYE, OPTIONS, re-INVITE, …), repeating the same answer when a request is retransmitted, and retransmitting
 * a 2xx to an INVITE until its ACK arrives.
 */
import { randomBytes } from 'node:crypto';
import { formatVia, parseCSeq, parseVia, splitHeaderList, tagOf } from './headers.js';
import { BRANCH_MAGIC_COOKIE } from './ids.js';
import { headerValue, headerValues, serializeSipMessage, type SipHeader, type SipRequest, type SipResponse } from './message.js';
import type { SipTimerValues } from './timers.js';
import type { Destination } from './transport.js';

export interface ResponseSpec {
  status: number;
  reason: string;
  headers?: SipHeader[];
  body?: string;
}

/**
 * The response to a request (§8.2.6.2): its Vias (the top one with received/rport, RFC 3581), From, To (with a
 * tag of ours if it had none), Call-ID and CSeq, then the given headers. Also where to send it (§18.2.2).
 */
export function buildResponse(
  request: SipRequest,
  spec: ResponseSpec,
  source: Destination,
  server: string,
): { response: SipResponse; to: Destination } {
  const vias = headerValues(request, 'Via').flatMap(splitHeaderList);
  const top = vias[0] === undefined ? null : parseVia(vias[0]);
  let to: Destination = { address: source.address, port: source.port };
  if (top) {
    if (top.host.replace(/^\[|\]$/g, '') !== source.address) top.params['received'] = source.address;
    if (top.params['rport'] === null) top.params['rport'] = String(source.port);
    else to = { address: source.address, port: top.port ?? 5060 };
    vias[0] = formatVia(top);
  }
  let toValue = headerValue(request, 'To') ?? '';
  if (tagOf(toValue) === undefined && spec.status > 100) toValue += `;tag=${randomBytes(8).toString('hex')}`;
  const headers: SipHeader[] = [
    ...vias.map((value) => ({ name: 'Via', value })),
    { name: 'From', value: headerValue(request, 'From') ?? '' },
    { name: 'To', value: toValue },
    { name: 'Call-ID', value: headerValue(request, 'Call-ID') ?? '' },
    { name: 'CSeq', value: headerValue(request, 'CSeq') ?? '' },
    ...(spec.headers ?? []),
    { name: 'Server', value: server },
  ];
  return { response: { kind: 'response', status: spec.status, reason: spec.reason, headers, body: spec.body ?? '' }, to };
}

/** §17.2.3: branch + sent-by + method; the fields of the request itself for pre-RFC 3261 peers. */
export function serverTransactionKey(request: SipRequest, method: string = request.method): string {
  const via = headerValues(request, 'Via').flatMap(splitHeaderList)[0];
  const top = via === undefined ? null : parseVia(via);
  const branch = top?.params['branch'];
  if (top && branch && branch.startsWith(BRANCH_MAGIC_COOKIE)) return `${branch} ${top.host}:${top.port ?? ''} ${method}`;
  const cseq = parseCSeq(headerValue(request, 'CSeq') ?? '');
  return `${headerValue(request, 'Call-ID')} ${cseq?.seq} ${tagOf(headerValue(request, 'From'))} ${method}`;
}

function ackKey(message: SipRequest | SipResponse): string {
  return `${headerValue(message, 'Call-ID')} ${parseCSeq(headerValue(message, 'CSeq') ?? '')?.seq}`;
}

interface Answer {
  data: Buffer;
  to: Destination;
}

export class ServerTransactions {
  #answers = new Map<string, Answer>();
  #unacknowledged = new Map<string, () => void>();
  #timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly timers: SipTimerValues,
    private readonly send: (data: Buffer, to: Destination) => void,
  ) {}

  /** Re-sends our answer if this request is a retransmission of one already answered. */
  repeat(request: SipRequest): boolean {
    const answer = this.#answers.get(serverTransactionKey(request));
    if (!answer) return false;
    this.send(answer.data, answer.to);
    return true;
  }

  /** Whether a request with this one's branch and the given method was answered (a CANCEL's INVITE). */
  answered(request: SipRequest, method: string): boolean {
    return this.#answers.has(serverTransactionKey(request, method));
  }

  /**
   * Sends a response and remembers it for 64·T1 (Timer J; Timer H for INVITE). A 2xx to an INVITE is
   * retransmitted at T1, 2·T1, … capped at T2 until acknowledge(); after 64·T1 without ACK, onUnacknowledged.
   */
  respond(request: SipRequest, response: SipResponse, to: Destination, onUnacknowledged?: () => void): void {
    const data = serializeSipMessage(response);
    const key = serverTransactionKey(request);
    this.send(data, to);
    this.#answers.set(key, { data, to });
    this.#after(this.timers.b, () => this.#answers.delete(key));
    if (request.method !== 'INVITE' || response.status < 200 || response.status >= 300) return;

    const ack = ackKey(request);
    let interval = this.timers.t1;
    let retransmission: NodeJS.Timeout;
    const retransmit = () => {
      this.send(data, to);
      interval = Math.min(2 * interval, this.timers.t2);
      retransmission = this.#after(interval, retransmit);
    };
    retransmission = this.#after(interval, retransmit);
    const giveUp = this.#after(this.timers.b, () => {
      stop();
      onUnacknowledged?.();
    });
    const stop = () => {
      this.#cancel(retransmission);
      this.#cancel(giveUp);
      this.#unacknowledged.delete(ack);
    };
    this.#unacknowledged.get(ack)?.();
    this.#unacknowledged.set(ack, stop);
  }

  /** An ACK stops the retransmission of the 2xx it acknowledges (matched by Call-ID and CSeq number). */
  acknowledge(ack: SipRequest): void {
    this.#unacknowledged.get(ackKey(ack))?.();
  }

  close(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#answers.clear();
    this.#unacknowledged.clear();
  }

  #after(ms: number, action: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
    return timer;
  }

  #cancel(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.#timers.delete(timer);
  }
}
