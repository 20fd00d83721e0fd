/**
 * A SIP user agent that places calls through one trunk over UDP (RFC 3261, client side). Every call shares
 * one socket: responses find their client transaction by branch + method, requests find their call (dialog)
 * by Call-ID and tags.
 */
import { SipCall, type CallEnvironment, type InviteRequest } from './outgoingCall.js';
import { parseCSeq, parseVia, splitHeaderList, tagOf } from './headers.js';
import { headerValue, headerValues, parseSipMessage, type SipRequest, type SipResponse } from './message.js';
import { buildResponse, ServerTransactions, type ResponseSpec } from './serverTransactions.js';
import { sipTimerValues } from './timers.js';
import { responseTransactionKey, type ClientTransaction } from './clientTransactions.js';
import { openUdpTransport, resolveDestination, type Destination, type UdpTransport } from './transport.js';
import { uriHost } from './uri.js';

export type {
  AnsweredEvent,
  EndedEvent,
  FailedEvent,
  InviteRequest,
  RingingEvent,
  SipCall,
  SipCallEvents,
} from './outgoingCall.js';

export interface SipUserAgentOptions {
  /** Address to bind, and the host of Via and Contact unless advertisedAddress is given. */
  localAddress: string;
  /** 0 = any free port. */
  localPort: number;
  trunk: { host: string; port: number };
  /** Credentials for digest challenges; with realm, only that realm's challenges are answered. */
  auth?: { user: string; password: string; realm?: string };
  /** The User-Agent (and Server) header value. */
  userAgent: string;
  timers?: { t1Ms?: number };
  /** Host for Via and Contact when localAddress is not what the trunk can reach (0.0.0.0, NAT). */
  advertisedAddress?: string;
  /** Host of the From URI; the advertised address when absent. */
  domain?: string;
}

export interface SipUserAgent {
  /** The bound UDP port. */
  readonly port: number;
  /** Starts a call at once; listen to the returned call's events. */
  invite(request: InviteRequest): SipCall;
  /** Closes the socket; calls still going end (`failed` with code null, or `ended` by local) without signalling. */
  close(): Promise<void>;
}

const ALLOW = 'INVITE, ACK, CANCEL, BYE, OPTIONS';

export async function createSipUserAgent(options: SipUserAgentOptions): Promise<SipUserAgent> {
  const timers = sipTimerValues(options.timers?.t1Ms);
  const transactions = new Map<string, ClientTransaction>();
  const calls = new Map<string, SipCall>();
  const forgetting = new Set<NodeJS.Timeout>();
  let closed = false;

  const transport: UdpTransport = await openUdpTransport({
    address: options.localAddress,
    port: options.localPort,
    onDatagram: (data, from) => receive(data, from),
  });
  const server = new ServerTransactions(timers, (data, to) => transport.send(data, to));
  const contactHost = uriHost(options.advertisedAddress ?? options.localAddress);

  const env: CallEnvironment = {
    timers,
    contactHost,
    localPort: transport.port,
    fromDomain: options.domain ?? contactHost,
    userAgent: options.userAgent,
    trunk: options.trunk,
    ...(options.auth ? { credentials: options.auth } : {}),
    send: (data, to, onError) => transport.send(data, to, onError),
    register: (key, transaction) => {
      // A request that was on its way (e.g. a BYE waiting for DNS) when the agent closed goes nowhere.
      if (closed) transaction.terminate();
      else transactions.set(key, transaction);
    },
    unregister: (key) => transactions.delete(key),
    resolve: (host, port) => resolveDestination(host, port, transport.family),
    released: (call) => {
      if (closed) return;
      // Kept for 64·T1 so that late retransmissions (a 2xx, a BYE) still find the call.
      const timer = setTimeout(() => {
        forgetting.delete(timer);
        calls.delete(call.callId);
      }, timers.b);
      timer.unref();
      forgetting.add(timer);
    },
  };

  function receive(data: Buffer, from: Destination): void {
    if (closed) return;
    const message = parseSipMessage(data);
    if (!message) return; // RFC 3261 §18.3: a malformed datagram is dropped
    if (message.kind === 'response') receiveResponse(message);
    else receiveRequest(message, from);
  }

  function receiveResponse(response: SipResponse): void {
    // §8.1.3.3: more than one Via means the response was not meant for us; §18.1.2: nor one whose sent-by
    // is not what we put in our requests.
    const vias = headerValues(response, 'Via').flatMap(splitHeaderList);
    const top = vias.length === 1 ? parseVia(vias[0]!) : null;
    if (!top || top.host.toLowerCase() !== contactHost.toLowerCase() || (top.port ?? 5060) !== transport.port) return;
    const key = responseTransactionKey(response);
    const transaction = key === undefined ? undefined : transactions.get(key);
    if (transaction?.receive(response)) return;
    // A 2xx to an INVITE outlives its transaction: a retransmission, or another fork's answer (§13.2.2.4).
    const cseq = parseCSeq(headerValue(response, 'CSeq') ?? '');
    if (cseq?.method === 'INVITE' && response.status >= 200 && response.status < 300) {
      calls.get(headerValue(response, 'Call-ID') ?? '')?.handleStray2xx(response);
    }
  }

  function receiveRequest(request: SipRequest, from: Destination): void {
    if (request.method === 'ACK') {
      server.acknowledge(request); // an ACK is never answered (§17.2.1)
      return;
    }
    if (server.repeat(request)) return; // a retransmission gets the same answer (§17.2.2)
    const call = calls.get(headerValue(request, 'Call-ID') ?? '');
    const toTag = tagOf(headerValue(request, 'To'));
    let spec: ResponseSpec;
    if (request.method === 'CANCEL') {
      // We answer every request at once, so a CANCEL can only find a completed transaction (§9.2).
      spec = server.answered(request, 'INVITE')
        ? { status: 200, reason: 'OK' }
        : { status: 481, reason: 'Call/Transaction Does Not Exist' };
    } else if (call && toTag === call.localTag) {
      spec = call.handleRequest(request);
    } else if (toTag !== undefined) {
      spec = { status: 481, reason: 'Call/Transaction Does Not Exist' };
    } else if (request.method === 'OPTIONS') {
      // A trunk's keep-alive probe (§11.2).
      spec = { status: 200, reason: 'OK', headers: [{ name: 'Allow', value: ALLOW }, { name: 'Accept', value: 'application/sdp' }] };
    } else if (request.method === 'INVITE') {
      spec = { status: 603, reason: 'Decline' }; // this agent only places calls
    } else {
      spec = { status: 405, reason: 'Method Not Allowed', headers: [{ name: 'Allow', value: ALLOW }] };
    }
    const { response, to } = buildResponse(request, spec, from, options.userAgent);
    server.respond(request, response, to, () => call?.unacknowledged());
  }

  return {
    port: transport.port,
    invite(request) {
      const call = new SipCall(env, request);
      if (closed) {
        queueMicrotask(() => call.shutdown());
        return call;
      }
      calls.set(call.callId, call);
      void call.start();
      return call;
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const call of calls.values()) call.shutdown();
      for (const transaction of [...transactions.values()]) transaction.terminate();
      for (const timer of forgetting) clearTimeout(timer);
      server.close();
      calls.clear();
      await transport.close();
    },
  };
}
