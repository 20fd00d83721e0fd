/**
 * The UAC side of a dialog (RFC 3261 §12): created from a 2xx to our INVITE, it says how every later
 * request of the call is addressed (remote target, route set, tags, CSeq).
 */
import { parseCSeq, parseNameAddr, splitHeaderList, tagOf } from './headers.js';
import { headerValue, headerValues, type SipHeader, type SipRequest, type SipResponse } from './message.js';
import { parseSipUri, withoutUriHeaders } from './uri.js';

export interface Dialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** The From header value of our INVITE, tag included. */
  readonly localFrom: string;
  /** The To header value of the 2xx, tag included. */
  readonly remoteTo: string;
  /** The Contact URI of the 2xx; a target refresh (re-INVITE, UPDATE) may change it. */
  remoteTarget: string;
  /** The Record-Route entries of the 2xx in reverse order (§12.1.2). */
  readonly routeSet: readonly string[];
  localSeq: number;
  remoteSeq: number | undefined;
}

/** §12.1.2. A 2xx without a Contact is broken; its dialog then targets the INVITE's Request-URI. */
export function createUacDialog(invite: SipRequest, response: SipResponse): Dialog {
  const contact = headerValues(response, 'Contact').flatMap(splitHeaderList)[0];
  const target = contact === undefined ? undefined : parseNameAddr(contact)?.uri;
  const localFrom = headerValue(invite, 'From') ?? '';
  const remoteTo = headerValue(response, 'To') ?? '';
  return {
    callId: headerValue(invite, 'Call-ID') ?? '',
    localTag: tagOf(localFrom) ?? '',
    remoteTag: tagOf(remoteTo) ?? '',
    localFrom,
    remoteTo,
    remoteTarget: target ?? invite.uri,
    routeSet: headerValues(response, 'Record-Route').flatMap(splitHeaderList).reverse(),
    localSeq: parseCSeq(headerValue(invite, 'CSeq') ?? '')?.seq ?? 1,
    remoteSeq: undefined,
  };
}

export interface InDialogRequestOptions {
  method: string;
  cseq: number;
  /** The Via header value, with a fresh branch: every request sent here starts a new transaction. */
  via: string;
  /** Placed after the mandatory headers, e.g. Contact, Authorization, User-Agent. */
  headers?: SipHeader[];
  body?: string;
  contentType?: string;
}

export interface AddressedRequest {
  request: SipRequest;
  /** The URI whose host and port the request is sent to: the first route or the Request-URI (§8.1.2). */
  nextHop: string;
}

/** §12.2.1.1: Request-URI and Route from the remote target and route set, loose or strict routing. */
export function buildInDialogRequest(dialog: Dialog, options: InDialogRequestOptions): AddressedRequest {
  let requestUri = dialog.remoteTarget;
  let routes = [...dialog.routeSet];
  let nextHop = requestUri;
  const firstRoute = routes[0] === undefined ? undefined : parseNameAddr(routes[0])?.uri;
  if (firstRoute !== undefined) {
    if (parseSipUri(firstRoute)?.params['lr'] !== undefined) {
      nextHop = firstRoute;
    } else {
      // A strict router takes the request by its Request-URI; the remote target rides as the last route.
      requestUri = withoutUriHeaders(firstRoute);
      routes = [...routes.slice(1), `<${dialog.remoteTarget}>`];
      nextHop = requestUri;
    }
  }
  const headers: SipHeader[] = [
    { name: 'Via', value: options.via },
    { name: 'Max-Forwards', value: '70' },
    { name: 'From', value: dialog.localFrom },
    { name: 'To', value: dialog.remoteTo },
    { name: 'Call-ID', value: dialog.callId },
    { name: 'CSeq', value: `${options.cseq} ${options.method}` },
    ...routes.map((route) => ({ name: 'Route', value: route })),
    ...(options.headers ?? []),
  ];
  if (options.body !== undefined && options.body.length > 0) {
    headers.push({ name: 'Content-Type', value: options.contentType ?? 'application/sdp' });
  }
  return {
    request: { kind: 'request', method: options.method, uri: requestUri, headers, body: options.body ?? '' },
    nextHop,
  };
}
