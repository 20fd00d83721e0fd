/** The message_id of each part in the SMPP user's format (smpp-interface.md §3) and its inverse. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMessageId, MAX_COUNTER, parseMessageId } from '../../src/smpp/messageIds.js';
import { libraryDecoded, libraryEncode } from '../support/smppLibraryRaw.js';

const UUID = '0f8fad5b-d9cb-469f-a165-70867728950e';

test('uuid: the messageUuid for part 1, <uuid>-<n> for part n > 1', () => {
  assert.equal(formatMessageId('uuid', { uuid: UUID, partNumber: 1 }), UUID);
  assert.equal(formatMessageId('uuid', { uuid: UUID, partNumber: 2 }), `${UUID}-2`);
  assert.equal(formatMessageId('uuid', { uuid: UUID, partNumber: 255, counter: 5n }), `${UUID}-255`);
  assert.equal(formatMessageId('uuid', { uuid: UUID.toUpperCase(), partNumber: 3 }), `${UUID}-3`);
  for (const partNumber of [0, -1, 256, 1.5, Number.NaN]) assert.throws(() => formatMessageId('uuid', { uuid: UUID, partNumber }), RangeError, String(partNumber));
  assert.throws(() => formatMessageId('uuid', { uuid: 'not-a-uuid', partNumber: 1 }), RangeError);
});

test('hex and decimal: the 63-bit counter', () => {
  const parts = (counter?: bigint) => ({ uuid: UUID, partNumber: 2, ...(counter === undefined ? {} : { counter }) });
  assert.equal(formatMessageId('hex', parts(0n)), '0');
  assert.equal(formatMessageId('hex', parts(255n)), 'ff');
  assert.equal(formatMessageId('hex', parts(0xabcdefn)), 'abcdef');
  assert.equal(formatMessageId('hex', parts(MAX_COUNTER)), '7fffffffffffffff');
  assert.equal(formatMessageId('decimal', parts(0n)), '0');
  assert.equal(formatMessageId('decimal', parts(1234567890123n)), '1234567890123');
  assert.equal(formatMessageId('decimal', parts(MAX_COUNTER)), '9223372036854775807');
  assert.equal(MAX_COUNTER, 2n ** 63n - 1n);
  for (const format of ['hex', 'decimal'] as const) {
    assert.throws(() => formatMessageId(format, parts(2n ** 63n)), RangeError);
    assert.throws(() => formatMessageId(format, parts(-1n)), RangeError);
    assert.throws(() => formatMessageId(format, parts()), RangeError);
  }
});

test('parseMessageId: the inverse, for query_sm and cancel_sm', () => {
  assert.deepEqual(parseMessageId('uuid', UUID), { uuid: UUID, partNumber: 1 });
  assert.deepEqual(parseMessageId('uuid', `${UUID}-2`), { uuid: UUID, partNumber: 2 });
  assert.deepEqual(parseMessageId('uuid', `${UUID}-255`), { uuid: UUID, partNumber: 255 });
  assert.deepEqual(parseMessageId('uuid', `${UUID.toUpperCase()}-7`), { uuid: UUID, partNumber: 7 });
  assert.deepEqual(parseMessageId('hex', 'ff'), { counter: 255n });
  assert.deepEqual(parseMessageId('hex', 'FF'), { counter: 255n });
  assert.deepEqual(parseMessageId('hex', '00ff'), { counter: 255n });
  assert.deepEqual(parseMessageId('hex', '7fffffffffffffff'), { counter: MAX_COUNTER });
  assert.deepEqual(parseMessageId('decimal', '9223372036854775807'), { counter: MAX_COUNTER });
  assert.deepEqual(parseMessageId('decimal', '0'), { counter: 0n });
  assert.deepEqual(parseMessageId('decimal', '007'), { counter: 7n });
  for (let partNumber = 1; partNumber <= 255; partNumber++) {
    assert.deepEqual(parseMessageId('uuid', formatMessageId('uuid', { uuid: UUID, partNumber })), { uuid: UUID, partNumber });
  }
  for (const counter of [0n, 1n, 15n, 16n, 4660n, 2n ** 32n, 2n ** 53n + 1n, MAX_COUNTER]) {
    for (const format of ['hex', 'decimal'] as const) {
      assert.deepEqual(parseMessageId(format, formatMessageId(format, { uuid: UUID, partNumber: 1, counter })), { counter });
    }
  }
});

test('parseMessageId: malformed ids are null', () => {
  const uuidCases = ['', UUID.slice(0, 35), `${UUID}-1`, `${UUID}-0`, `${UUID}-01`, `${UUID}-256`, `${UUID}-2-3`, `${UUID}-`, `${UUID}x`, ` ${UUID}`, `${UUID} `, '0f8fad5bd9cb469fa16570867728950e', '0f8fad5b-d9cb-469f-a165-70867728950g', '--------------------------------0000'];
  for (const text of uuidCases) assert.equal(parseMessageId('uuid', text), null, JSON.stringify(text));
  for (const text of ['', '8000000000000000', 'ffffffffffffffff', 'g', '0x1f', '-1', ' 1', '1 ', UUID]) assert.equal(parseMessageId('hex', text), null, JSON.stringify(text));
  for (const text of ['', '9223372036854775808', '-1', '+1', '1e3', 'ff', ' 1', '1.0', '١٢']) assert.equal(parseMessageId('decimal', text), null, JSON.stringify(text));
});

test('the ids fit SMPP message_id (65) and survive the smpp library: submit_sm_resp, query_sm, cancel_sm', () => {
  const ids = [
    formatMessageId('uuid', { uuid: UUID, partNumber: 255 }),
    formatMessageId('hex', { uuid: UUID, partNumber: 1, counter: MAX_COUNTER }),
    formatMessageId('decimal', { uuid: UUID, partNumber: 1, counter: MAX_COUNTER }),
  ];
  assert.equal(ids[0]!.length, 40);
  for (const id of ids) {
    assert.ok(id.length <= 65);
    for (const command of ['submit_sm_resp', 'query_sm', 'cancel_sm']) {
      const decoded = libraryDecoded(libraryEncode(command, { message_id: id, sequence_number: 7 }));
      assert.equal(decoded['message_id'], id, command);
    }
  }
});
