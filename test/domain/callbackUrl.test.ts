import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CALLBACK_URL_MAX_LENGTH,
  callbackCredentials,
  parseCallbackUrl,
  redactCallbackUrl,
} from '../../src/domain/callbackUrl.js';

const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;

test('accepts absolute http and https URLs, as written', () => {
  for (const url of [
    'https://example.com/callback',
    'http://example.com',
    'https://example.com/',
    'HTTPS://EXAMPLE.COM/Callback',
    'https://login:password@example.com/callback',
    'https://login@example.com/callback',
    'http://12.34.56.78:8080/callback',
    'http://[::1]:8080/callback',
    'http://[2001:db8::7]/cb',
    'http://localhost:3000/cb',
    'https://example.com:443/a/b;c=d/%20e?x=1&y=%2F&z=a/b?c',
    "https://example.com/!$&'()*+,;=:@-._~",
    'https://ex_ample.com/',
    'https://xn--e1afmkfd.xn--p1ai/',
  ]) {
    assert.equal(parseCallbackUrl(url), url, url);
  }
});

test('drops the fragment from the stored value', () => {
  assert.equal(parseCallbackUrl('https://example.com/cb?x=1#part'), 'https://example.com/cb?x=1');
  assert.equal(parseCallbackUrl('https://example.com#'), 'https://example.com');
});

test('rejects anything that is not an absolute http(s) URI', () => {
  for (const url of [
    '',
    'example.com/callback',
    '/callback',
    '//example.com/callback',
    'ftp://example.com/callback',
    'mailto:someone@example.com',
    'javascript:alert(1)',
    'http:example.com',
    'http:/example.com',
    'https://',
    'https:///path',
    'https://:8080/path',
    'https:\\\\example.com',
    'https://exa mple.com/',
    'https://example.com/a b',
    ' https://example.com/',
    'https://example.com/\n',
    'https://пример.рф/',
    'https://example.com/путь',
    'https://example.com/%zz',
    'https://example.com/#a#b',
    'https://a@b@example.com/',
    'https://example.com:65536/',
    'https://example.com:port/',
    'https://999.1.1.1/',
    'https://[::zz]/',
    'https://[v1.x]/',
    'https://%00/',
    'https://example.com/<script>',
  ]) {
    assert.equal(parseCallbackUrl(url), null, JSON.stringify(url));
  }
});

test('at most 2048 characters', () => {
  const prefix = 'https://example.com/';
  const longest = prefix + 'a'.repeat(CALLBACK_URL_MAX_LENGTH - prefix.length);
  assert.equal(CALLBACK_URL_MAX_LENGTH, 2048);
  assert.equal(parseCallbackUrl(longest), longest);
  assert.equal(parseCallbackUrl(longest + 'a'), null);
});

test('redactCallbackUrl hides the password only', () => {
  assert.equal(redactCallbackUrl('https://login:password@example.com/cb'), 'https://login:***@example.com/cb');
  assert.equal(redactCallbackUrl('https://login:@example.com/cb'), 'https://login:***@example.com/cb');
  assert.equal(redactCallbackUrl('https://login@example.com/cb'), 'https://login@example.com/cb');
  assert.equal(redactCallbackUrl('https://example.com/a@b:c'), 'https://example.com/a@b:c');
  assert.equal(redactCallbackUrl('https://example.com?u=a:b@c'), 'https://example.com?u=a:b@c');
  assert.equal(redactCallbackUrl('http://u:p%40ss@12.34.56.78:8080/x'), 'http://u:***@12.34.56.78:8080/x');
});

test('callbackCredentials: URL without userinfo and a Basic header', () => {
  assert.deepEqual(callbackCredentials('https://login:password@example.com/callback'), {
    url: 'https://example.com/callback',
    authorization: basic('login:password'),
  });
  assert.deepEqual(callbackCredentials('https://example.com/callback'), { url: 'https://example.com/callback', authorization: null });
  assert.deepEqual(callbackCredentials('https://@example.com/cb'), { url: 'https://example.com/cb', authorization: null });
  assert.deepEqual(callbackCredentials('https://login@example.com/cb'), { url: 'https://example.com/cb', authorization: basic('login:') });
  assert.deepEqual(callbackCredentials('http://a:b@12.34.56.78:8080/x?y=1@2'), {
    url: 'http://12.34.56.78:8080/x?y=1@2',
    authorization: basic('a:b'),
  });
});

test('callbackCredentials percent-decodes login and password', () => {
  assert.equal(callbackCredentials('https://us%40er:p%3As%25s@example.com/').authorization, basic('us@er:p:s%s'));
  assert.equal(callbackCredentials('https://u:p%C3%A4ss@example.com/').authorization, basic('u:päss'));
  assert.equal(callbackCredentials('https://u:a:b@example.com/').authorization, basic('u:a:b'));
  // Not UTF-8: the raw byte is sent as it is.
  assert.equal(
    callbackCredentials('https://u:%FF@example.com/').authorization,
    `Basic ${Buffer.from([0x75, 0x3a, 0xff]).toString('base64')}`,
  );
});
