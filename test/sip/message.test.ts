import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseCSeq,
  parseNameAddr,
  parseVia,
  formatNameAddr,
  formatVia,
  splitHeaderList,
  tagOf,
} from '../../src/sip/headers.js';
import { headerValue, headerValues, parseSipMessage, serializeSipMessage, type SipRequest } from '../../src/sip/message.js';
import { parseSipUri, uriTarget } from '../../src/sip/uri.js';

const INVITE = [
  'INVITE sip:bob@biloxi.example.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.example.com>',
  'From: Alice <sip:alice@atlanta.example.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710@pc33.atlanta.example.com',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.example.com>',
  'Content-Type: application/sdp',
  'Content-Length: 4',
  '',
  'v=0\r\n',
].join('\r\n');

describe('SIP message', () => {
  it('parses a request: start line, headers in order, body by Content-Length', () => {
    const message = parseSipMessage(Buffer.from(INVITE)) as SipRequest;
    assert.equal(message.kind, 'request');
    assert.equal(message.method, 'INVITE');
    assert.equal(message.uri, 'sip:bob@biloxi.example.com');
    assert.equal(headerValue(message, 'call-id'), 'a84b4c76e66710@pc33.atlanta.example.com');
    assert.equal(message.body, 'v=0\r');
    assert.equal(message.headers[0]?.name, 'Via');
  });

  it('round-trips: serialize(parse(x)) parses to the same message', () => {
    const once = parseSipMessage(INVITE)!;
    const twice = parseSipMessage(serializeSipMessage(once))!;
    assert.deepEqual(twice, once);
  });

  it('understands compact forms and any header case; canonical names after parsing', () => {
    const text = [
      'SIP/2.0 180 Ringing',
      'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx',
      'f: <sip:a@x>;tag=1',
      't: <sip:b@y>;tag=2',
      'i: abc',
      'CSEQ: 1 INVITE',
      'm: <sip:b@10.0.0.2>',
      'c: application/sdp',
      'l: 0',
      '',
      '',
    ].join('\r\n');
    const message = parseSipMessage(text)!;
    assert.equal(message.kind, 'response');
    if (message.kind !== 'response') return;
    assert.equal(message.status, 180);
    assert.equal(message.reason, 'Ringing');
    assert.deepEqual(
      message.headers.map((h) => h.name),
      ['Via', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Content-Type', 'Content-Length'],
    );
    assert.equal(headerValue(message, 'CONTACT'), '<sip:b@10.0.0.2>');
    assert.equal(headerValue(message, 'Content-Type'), 'application/sdp');
  });

  it('unfolds continuation lines and keeps repeated headers in order', () => {
    const text = [
      'SIP/2.0 200 OK',
      'Via: SIP/2.0/UDP a;branch=z9hG4bK1',
      'Via: SIP/2.0/UDP b;branch=z9hG4bK2',
      'From: <sip:a@x>;tag=1',
      'To: <sip:b@y>',
      '  ;tag=2',
      'Call-ID: c',
      'CSeq: 1 INVITE',
      '',
      '',
    ].join('\r\n');
    const message = parseSipMessage(text)!;
    assert.deepEqual(headerValues(message, 'via'), ['SIP/2.0/UDP a;branch=z9hG4bK1', 'SIP/2.0/UDP b;branch=z9hG4bK2']);
    assert.equal(headerValue(message, 'To'), '<sip:b@y> ;tag=2');
    assert.equal(tagOf(headerValue(message, 'To')), '2');
  });

  it('counts Content-Length in bytes, and writes it whatever the headers said', () => {
    const request: SipRequest = {
      kind: 'request',
      method: 'MESSAGE',
      uri: 'sip:b@y',
      headers: [
        { name: 'Via', value: 'SIP/2.0/UDP a;branch=z9hG4bK1' },
        { name: 'From', value: '<sip:a@x>;tag=1' },
        { name: 'To', value: '<sip:b@y>' },
        { name: 'Call-ID', value: 'c' },
        { name: 'CSeq', value: '1 MESSAGE' },
        { name: 'l', value: '999' },
      ],
      body: 'Код',
    };
    const wire = serializeSipMessage(request).toString('utf8');
    assert.match(wire, /\r\nContent-Length: 6\r\n\r\nКод$/);
    assert.doesNotMatch(wire, /\r\nl: /);
    assert.equal(parseSipMessage(wire)?.body, 'Код');
  });

  it('drops what is not a whole SIP message', () => {
    assert.equal(parseSipMessage('\r\n\r\n'), null, 'a keep-alive');
    assert.equal(parseSipMessage(INVITE.replace('Content-Length: 4', 'Content-Length: 40')), null, 'truncated');
    assert.equal(parseSipMessage(INVITE.replace(/CSeq: .*\r\n/, '')), null, 'no CSeq');
    assert.equal(parseSipMessage(INVITE.replace('SIP/2.0\r\n', 'SIP/3.0\r\n')), null, 'other version');
    assert.equal(parseSipMessage('hello\r\n\r\n'), null);
  });

  it('takes the rest of the datagram as body when Content-Length is absent', () => {
    const message = parseSipMessage(INVITE.replace('Content-Length: 4\r\n', ''))!;
    assert.equal(message.body, 'v=0\r\n');
  });
});

describe('SIP header values', () => {
  it('name-addr with a quoted display name, URI parameters and header parameters', () => {
    const value = '"Bob \\"B\\", Jr" <sip:bob@example.com;transport=udp>;tag=a48s;x';
    assert.deepEqual(parseNameAddr(value), {
      displayName: 'Bob "B", Jr',
      uri: 'sip:bob@example.com;transport=udp',
      params: { tag: 'a48s', x: null },
    });
    assert.equal(formatNameAddr(parseNameAddr(value)!), value);
  });

  it('addr-spec without brackets: its parameters belong to the header (RFC 3261 §20.10)', () => {
    assert.deepEqual(parseNameAddr('sip:alice@atlanta.example.com;tag=88sja8x'), {
      uri: 'sip:alice@atlanta.example.com',
      params: { tag: '88sja8x' },
    });
  });

  it('splits lists on commas outside quotes and angle brackets', () => {
    assert.deepEqual(splitHeaderList('<sip:p1;lr>, "a,b" <sip:p2;lr>,<sip:p3?x=1,2>'), [
      '<sip:p1;lr>',
      '"a,b" <sip:p2;lr>',
      '<sip:p3?x=1,2>',
    ]);
  });

  it('Via: transport, host, port, flag and valued parameters; IPv6 and spaces around slashes', () => {
    assert.deepEqual(parseVia('SIP/2.0/UDP 10.0.0.1:5062;rport;branch=z9hG4bKabc'), {
      transport: 'UDP',
      host: '10.0.0.1',
      port: 5062,
      params: { rport: null, branch: 'z9hG4bKabc' },
    });
    assert.deepEqual(parseVia('SIP / 2.0 / udp [2001:db8::1];BRANCH=z9hG4bKx'), {
      transport: 'UDP',
      host: '[2001:db8::1]',
      params: { branch: 'z9hG4bKx' },
    });
    assert.equal(formatVia(parseVia('SIP/2.0/UDP h:1;rport=2;received=1.2.3.4')!), 'SIP/2.0/UDP h:1;rport=2;received=1.2.3.4');
    assert.equal(parseVia('garbage'), null);
  });

  it('CSeq', () => {
    assert.deepEqual(parseCSeq('  314159 invite '), { seq: 314159, method: 'INVITE' });
    assert.equal(parseCSeq('x INVITE'), null);
  });

  it('SIP URI and where it sends to (maddr, default ports)', () => {
    assert.deepEqual(parseSipUri('sip:+7900@[2001:db8::1]:5070;lr;transport=udp?subject=x'), {
      scheme: 'sip',
      user: '+7900',
      host: '[2001:db8::1]',
      port: 5070,
      params: { lr: null, transport: 'udp' },
    });
    assert.deepEqual(uriTarget('sip:p.example.com;lr'), { host: 'p.example.com', port: 5060 });
    assert.deepEqual(uriTarget('sips:p.example.com'), { host: 'p.example.com', port: 5061 });
    assert.deepEqual(uriTarget('sip:a@p.example.com:5080;maddr=192.0.2.1'), { host: '192.0.2.1', port: 5080 });
    assert.equal(uriTarget('tel:+7900'), null);
  });
});
