import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  answerDigestChallenge,
  digestResponse,
  isSupportedDigestAlgorithm,
  parseAuthParams,
  parseDigestChallenge,
} from '../../src/sip/digest.js';

/** RFC 7616 §3.9.1. */
const RFC7616 = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  method: 'GET',
  uri: '/dir/index.html',
  nc: '00000001',
  qop: 'auth' as const,
};

describe('digest response', () => {
  it('RFC 2617 §3.5: MD5, qop=auth', () => {
    const response = digestResponse({
      username: 'Mufasa',
      password: 'Circle Of Life',
      realm: 'testrealm@host.com',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      method: 'GET',
      uri: '/dir/index.html',
      qop: 'auth',
      nc: '00000001',
      cnonce: '0a4f113b',
    });
    assert.equal(response, '6629fae49393a05397450978507c4ef1');
  });

  it('RFC 7616 §3.9.1: MD5 and SHA-256, qop=auth', () => {
    assert.equal(digestResponse({ ...RFC7616, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
    assert.equal(
      digestResponse({ ...RFC7616, algorithm: 'SHA-256' }),
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });

  // The vectors below come from SIPp's own unit tests (an independent implementation).
  it('without qop (RFC 2069 compatibility), MD5 and SHA-256', () => {
    const base = { username: 'testuser', password: 'secret', realm: 'testrealm@host.com', method: 'REGISTER', uri: 'sip:sip:example.com' };
    assert.equal(digestResponse({ ...base, nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093' }), 'db94e01e92f2b09a52a234eeca8b90f7');
    assert.equal(
      digestResponse({ ...base, nonce: 'ZaGxV2WhsCtREI2EsiD1LR0RYd', algorithm: 'SHA-256' }),
      '91b58523b983191b52d14455a2599631990110c974ed2e4b4b49bc6053af04ce',
    );
  });

  it('qop=auth-int hashes the body', () => {
    const response = digestResponse({
      ...RFC7616,
      method: 'INVITE',
      uri: 'sip:bob@example.org',
      nc: '00000002',
      qop: 'auth-int',
      body: 'v=0\r\n',
    });
    assert.equal(response, '3dbb0971468cf612bdccd7dff696c5e6');
  });

  it('knows MD5, SHA-256 and SHA-512-256, with or without -sess, in any case', () => {
    for (const name of ['MD5', 'md5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'SHA-512-256']) {
      assert.ok(isSupportedDigestAlgorithm(name), name);
    }
    assert.equal(isSupportedDigestAlgorithm('AKAv1-MD5'), false);
  });
});

describe('digest challenge', () => {
  it('parses quoted values with commas and escapes, tokens, and the qop list', () => {
    const challenge = parseDigestChallenge(
      'Digest realm="a, \\"b\\"", nonce="n1",qop="auth,auth-int", algorithm=MD5, opaque="o", stale=TRUE',
    );
    assert.deepEqual(challenge, {
      realm: 'a, "b"',
      nonce: 'n1',
      opaque: 'o',
      algorithm: 'MD5',
      qop: ['auth', 'auth-int'],
      stale: true,
    });
  });

  it('defaults to MD5 without qop; rejects other schemes and challenges without nonce', () => {
    assert.deepEqual(parseDigestChallenge('digest realm="r", nonce="n"'), {
      realm: 'r',
      nonce: 'n',
      algorithm: 'MD5',
      qop: [],
      stale: false,
    });
    assert.equal(parseDigestChallenge('Basic realm="r"'), null);
    assert.equal(parseDigestChallenge('Digest realm="r"'), null);
  });

  it('answers with every field, qop and nc as tokens, and a response that verifies', () => {
    const challenge = parseDigestChallenge(`Digest realm="${RFC7616.realm}", nonce="${RFC7616.nonce}", qop="auth", opaque="op"`)!;
    const header = answerDigestChallenge(
      challenge,
      { username: RFC7616.username, password: RFC7616.password },
      { method: 'GET', uri: RFC7616.uri, cnonce: RFC7616.cnonce },
    )!;
    assert.match(header, /^Digest /);
    assert.match(header, /, qop=auth, nc=00000001, /);
    const fields = parseAuthParams(header.slice('Digest '.length));
    assert.equal(fields.get('username'), 'Mufasa');
    assert.equal(fields.get('realm'), RFC7616.realm);
    assert.equal(fields.get('nonce'), RFC7616.nonce);
    assert.equal(fields.get('uri'), RFC7616.uri);
    assert.equal(fields.get('opaque'), 'op');
    assert.equal(fields.get('cnonce'), RFC7616.cnonce);
    assert.equal(fields.get('algorithm'), 'MD5');
    assert.equal(fields.get('response'), '8ca523f5e9506fed4657c9700eebdbec');
  });

  it('counts nonces in hex and picks auth over auth-int', () => {
    const challenge = parseDigestChallenge('Digest realm="r", nonce="n", qop="auth-int,auth"')!;
    const header = answerDigestChallenge(challenge, { username: 'u', password: 'p' }, { method: 'BYE', uri: 'sip:x', nonceCount: 26 })!;
    assert.match(header, /qop=auth, nc=0000001a,/);
  });

  it('without qop: no cnonce, no nc', () => {
    const challenge = parseDigestChallenge('Digest realm="r", nonce="n"')!;
    const header = answerDigestChallenge(challenge, { username: 'u', password: 'p' }, { method: 'INVITE', uri: 'sip:x' })!;
    assert.doesNotMatch(header, /cnonce|nc=|qop/);
  });

  it('cannot answer an unknown algorithm, an unknown qop, or -sess without qop', () => {
    const credentials = { username: 'u', password: 'p' };
    const request = { method: 'INVITE', uri: 'sip:x' };
    for (const value of [
      'Digest realm="r", nonce="n", algorithm=AKAv1-MD5',
      'Digest realm="r", nonce="n", qop="auth-conf"',
      'Digest realm="r", nonce="n", algorithm=MD5-sess',
    ]) {
      assert.equal(answerDigestChallenge(parseDigestChallenge(value)!, credentials, request), null, value);
    }
  });
});
