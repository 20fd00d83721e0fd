import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageItemSchemas, sendRequestSchema } from '../../src/domain/itemFields.js';

const FIELD_ORDER = [
  'channelType',
  'senderName',
  'destination',
  'content',
  'ttl',
  'tags',
  'externalMessageId',
  'callbackUrl',
  'callbackEvents',
  'useLocalTime',
  'localSendTime',
  'localCompletionTime',
  'hours',
  'days',
  'shortUrl',
];
const DRAFT_07_KEYWORDS = new Set([
  'type', 'properties', 'required', 'items', 'enum', 'const', 'anyOf', 'allOf', 'minLength', 'maxLength', 'pattern',
  'minimum', 'maximum', 'minItems', 'maxItems', 'uniqueItems', 'format', 'description',
]);

function keywords(node: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const child of node) keywords(child, found);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      found.add(key);
      // Property names are not keywords.
      if (key === 'properties') for (const child of Object.values(value as object)) keywords(child, found);
      else keywords(value, found);
    }
  }
  return found;
}

test('the request schema uses plain draft-07 keywords plus x-errorDetail', () => {
  const json = JSON.parse(JSON.stringify(sendRequestSchema)) as unknown;
  const unexpected = [...keywords(json, new Set())].filter((k) => !DRAFT_07_KEYWORDS.has(k) && k !== 'x-errorDetail');
  assert.deepEqual(unexpected, []);
  assert.equal((json as { minItems: number }).minItems, 1);
  assert.equal((json as { maxItems: number }).maxItems, 1000);
});

test('each channel lists its fields in the §5.4 order, with the required four', () => {
  const expected: Record<string, string[]> = {
    VOICECODE: FIELD_ORDER.slice(0, 9),
    FLASHCALL: FIELD_ORDER.slice(0, 9),
    SMS: FIELD_ORDER,
    WHATSAPP: FIELD_ORDER,
    VK: FIELD_ORDER,
  };
  for (const [channel, schema] of Object.entries(messageItemSchemas)) {
    assert.deepEqual(Object.keys(schema.properties), expected[channel], channel);
    assert.deepEqual(schema.required, ['channelType', 'senderName', 'destination', 'content'], channel);
    assert.deepEqual(schema.properties.channelType.const, channel);
  }
});

test('every validated field carries a human detail', () => {
  for (const [channel, schema] of Object.entries(messageItemSchemas)) {
    for (const [name, field] of Object.entries(schema.properties as Record<string, Record<string, unknown>>)) {
      if (name === 'channelType' || (channel === 'FLASHCALL' && name === 'content')) continue;
      assert.equal(typeof field['x-errorDetail'], 'string', `${channel}.${name}`);
    }
  }
});
