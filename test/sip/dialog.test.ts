import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildInDialogRequest, createUacDialog } from '../../src/sip/dialog.js';
import { headerValue, headerValues, parseSipMessage, type SipRequest, type SipResponse } from '../../src/sip/message.js';
import { ackForFailure, cancelFor, responseTransactionKey, transactionKey } from '../../src/sip/clientTransactions.js';

const invite = parseSipMessage(
  [
    'INVITE sip:79001234567@trunk.example.net:5060 SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.1:5062;rport;branch=z9hG4bKinvite1',
    'Max-Forwards: 70',
    'From: <sip:74950000000@192.0.2.1>;tag=ours',
    'To: <sip:79001234567@trunk.example.net:5060>',
    'Call-ID: call-1',
    'CSeq: 7 INVITE',
    'Route: <sip:outbound.example.net;lr>',
    'User-Agent: dgw',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n'),
) as SipRequest;

function response(status: number, extra: string[]): SipResponse {
  return parseSipMessage(
    [
      `SIP/2.0 ${status} X`,
      'Via: SIP/2.0/UDP 192.0.2.1:5062;rport=5062;branch=z9hG4bKinvite1',
      'From: <sip:74950000000@192.0.2.1>;tag=ours',
      'To: <sip:79001234567@trunk.example.net:5060>;tag=theirs',
      'Call-ID: call-1',
      'CSeq: 7 INVITE',
      ...extra,
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n'),
  ) as SipResponse;
}

describe('UAC dialog', () => {
  const ok = response(200, [
    'Contact: "Callee" <sip:callee@198.51.100.9:5080;transport=udp>',
    'Record-Route: <sip:p1.example.net;lr>, <sip:p2.example.net;lr>',
    'Record-Route: <sip:p3.example.net;lr>',
  ]);

  it('takes the tags, the Contact as remote target and the Record-Route reversed as route set', () => {
    const dialog = createUacDialog(invite, ok);
    assert.equal(dialog.callId, 'call-1');
    assert.equal(dialog.localTag, 'ours');
    assert.equal(dialog.remoteTag, 'theirs');
    assert.equal(dialog.remoteTarget, 'sip:callee@198.51.100.9:5080;transport=udp');
    assert.deepEqual(dialog.routeSet, ['<sip:p3.example.net;lr>', '<sip:p2.example.net;lr>', '<sip:p1.example.net;lr>']);
    assert.equal(dialog.localSeq, 7);
  });

  it('loose routing: Request-URI is the remote target, Route the route set, next hop the first route', () => {
    const dialog = createUacDialog(invite, ok);
    const { request, nextHop } = buildInDialogRequest(dialog, { method: 'BYE', cseq: 8, via: 'SIP/2.0/UDP h;branch=z9hG4bKbye' });
    assert.equal(request.uri, 'sip:callee@198.51.100.9:5080;transport=udp');
    assert.deepEqual(headerValues(request, 'Route'), dialog.routeSet);
    assert.equal(nextHop, 'sip:p3.example.net;lr');
    assert.equal(headerValue(request, 'From'), '<sip:74950000000@192.0.2.1>;tag=ours');
    assert.equal(headerValue(request, 'To'), '<sip:79001234567@trunk.example.net:5060>;tag=theirs');
    assert.equal(headerValue(request, 'CSeq'), '8 BYE');
    assert.equal(headerValue(request, 'Max-Forwards'), '70');
  });

  it('no route set: straight to the remote target', () => {
    const dialog = createUacDialog(invite, response(200, ['Contact: <sip:callee@198.51.100.9>']));
    const { request, nextHop } = buildInDialogRequest(dialog, { method: 'BYE', cseq: 8, via: 'v' });
    assert.equal(nextHop, 'sip:callee@198.51.100.9');
    assert.deepEqual(headerValues(request, 'Route'), []);
  });

  it('strict routing (RFC 3261 §12.2.1.1): the first route is the Request-URI, the remote target the last Route', () => {
    const dialog = createUacDialog(invite, response(200, ['Contact: <sip:callee@198.51.100.9>', 'Record-Route: <sip:p2.example.net;lr>, <sip:p1.example.net>']));
    const { request, nextHop } = buildInDialogRequest(dialog, { method: 'BYE', cseq: 8, via: 'v' });
    assert.equal(request.uri, 'sip:p1.example.net');
    assert.deepEqual(headerValues(request, 'Route'), ['<sip:p2.example.net;lr>', '<sip:callee@198.51.100.9>']);
    assert.equal(nextHop, 'sip:p1.example.net');
  });

  it('a 2xx without Contact still gives a dialog, aimed at the Request-URI', () => {
    assert.equal(createUacDialog(invite, response(200, [])).remoteTarget, invite.uri);
  });
});

describe('requests of the INVITE transaction', () => {
  it('the ACK of a non-2xx: Request-URI, top Via, From, Call-ID, CSeq number and Route of the INVITE, To of the response', () => {
    const ack = ackForFailure(invite, response(486, []));
    assert.equal(ack.method, 'ACK');
    assert.equal(ack.uri, invite.uri);
    assert.deepEqual(headerValues(ack, 'Via'), ['SIP/2.0/UDP 192.0.2.1:5062;rport;branch=z9hG4bKinvite1']);
    assert.equal(headerValue(ack, 'To'), '<sip:79001234567@trunk.example.net:5060>;tag=theirs');
    assert.equal(headerValue(ack, 'CSeq'), '7 ACK');
    assert.equal(headerValue(ack, 'From'), headerValue(invite, 'From'));
    assert.deepEqual(headerValues(ack, 'Route'), ['<sip:outbound.example.net;lr>']);
  });

  it('CANCEL: the same, but the To of the INVITE and method CANCEL', () => {
    const cancel = cancelFor(invite);
    assert.equal(cancel.uri, invite.uri);
    assert.equal(headerValue(cancel, 'Via'), headerValue(invite, 'Via'));
    assert.equal(headerValue(cancel, 'To'), headerValue(invite, 'To'));
    assert.equal(headerValue(cancel, 'CSeq'), '7 CANCEL');
    assert.deepEqual(headerValues(cancel, 'Route'), ['<sip:outbound.example.net;lr>']);
  });

  it('a response finds its transaction by top-Via branch and CSeq method', () => {
    assert.equal(responseTransactionKey(response(180, [])), transactionKey('z9hG4bKinvite1', 'INVITE'));
  });
});
