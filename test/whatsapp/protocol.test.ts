/** The Cloud API's protocol pieces: the signature over raw bytes, the send body, Meta's payload shapes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readSendAnswer, readWebhook, readChangeValue, readErrorAnswer } from '../../src/whatsapp/graphShapes.js';
import { messageBody } from '../../src/whatsapp/messageBody.js';
import { hasValidSignature, sameSecret, signatureOf } from '../../src/whatsapp/signature.js';

test('X-Hub-Signature-256 is the hex HMAC-SHA256 of the exact bytes; any other bytes, header form or secret fail', () => {
  const body = Buffer.from('{"object":"whatsapp_business_account","entry":[]}');
  const header = `sha256=${createHmac('sha256', 's3cret').update(body).digest('hex')}`;
  assert.equal(signatureOf('s3cret', body), header);
  assert.equal(hasValidSignature('s3cret', body, header), true);
  assert.equal(hasValidSignature('s3cret', body, header.toUpperCase().replace('SHA256=', 'sha256=')), true, 'hex digits in either case');
  assert.equal(hasValidSignature('other', body, header), false);
  assert.equal(hasValidSignature('s3cret', Buffer.from('{"entry":[],"object":"whatsapp_business_account"}'), header), false, 'same JSON, other bytes');
  assert.equal(hasValidSignature('s3cret', Buffer.concat([body, Buffer.from(' ')]), header), false);
  assert.equal(hasValidSignature('s3cret', body, undefined), false);
  assert.equal(hasValidSignature('s3cret', body, header.slice(7)), false, 'without the sha256= prefix');
  assert.equal(hasValidSignature('s3cret', body, `sha1=${header.slice(7)}`), false);
  assert.equal(hasValidSignature('s3cret', body, `${header}00`), false);
  assert.equal(sameSecret('abc', 'abc'), true);
  assert.equal(sameSecret('abc', 'abcd'), false);
});

test('the send body: text with preview_url when it has a link; template with body parameters, without components when none', () => {
  assert.deepEqual(messageBody('79001234567', { type: 'text', text: 'no link here' }, 'u1'), {
    messaging_product: 'whatsapp', to: '+79001234567', type: 'text', text: { body: 'no link here', preview_url: false }, biz_opaque_callback_data: 'u1',
  });
  assert.equal((messageBody('7', { type: 'text', text: 'see HTTPS://x.example/a' }, 'u') as any).text.preview_url, true);
  assert.deepEqual((messageBody('7', { type: 'template', name: 'hi', language: 'ru', parameters: [] }, 'u') as any).template, {
    name: 'hi', language: { policy: 'deterministic', code: 'ru' },
  });
  assert.deepEqual((messageBody('7', { type: 'template', name: 'hi', language: 'ru', parameters: ['a', 'b'] }, 'u') as any).template.components, [
    { type: 'body', parameters: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
  ]);
});

test("Meta's payloads: what the gateway reads is required, more fields are welcome, wrong types are refused", () => {
  const value = {
    messaging_product: 'whatsapp',
    metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
    statuses: [{ id: 'wamid.X', status: 'delivered', timestamp: '1700000000', recipient_id: '79001234567', conversation: { id: 'c' }, pricing: { billable: true, category: 'utility', pricing_model: 'PMP', type: 'regular' } }],
    messages: [{ from: '79001234567', id: 'wamid.Y', timestamp: '1700000001', type: 'text', text: { body: 'hi' } }],
    contacts: [{ profile: { name: 'A' }, wa_id: '79001234567' }],
  };
  assert.ok(readWebhook({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value }] }] }));
  assert.equal(readWebhook({ object: 'whatsapp_business_account', entry: {} }), null);
  assert.ok(readChangeValue(value));
  assert.ok(readChangeValue({ ...value, statuses: [{ ...value.statuses[0], timestamp: 1700000000 }] }), 'a timestamp as a number is read too');
  assert.equal(readChangeValue({ ...value, statuses: [{ ...value.statuses[0], timestamp: 'yesterday' }] }), null);
  assert.equal(readChangeValue({ messaging_product: 'whatsapp' }), null, 'no metadata: another field');
  assert.deepEqual(readSendAnswer({ messaging_product: 'whatsapp', contacts: [], messages: [{ id: 'wamid.Z', message_status: 'accepted' }] })?.messages[0]?.id, 'wamid.Z');
  assert.equal(readSendAnswer({ messages: [] }), null);
  assert.equal(readErrorAnswer({ error: { message: 'x', type: 'OAuthException', code: 190, fbtrace_id: 'f' } })?.error.code, 190);
});
