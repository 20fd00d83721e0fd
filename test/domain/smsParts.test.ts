import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countSmsParts } from '../../src/domain/smsParts.js';

const parts = (text: string) => countSmsParts(text).parts;

test('GSM-7: 160 septets fit one part, 161 need two', () => {
  assert.deepEqual(countSmsParts('a'.repeat(160)), { encoding: 'GSM7', parts: 1 });
  assert.deepEqual(countSmsParts('a'.repeat(161)), { encoding: 'GSM7', parts: 2 });
});

test('GSM-7 multipart: 153 septets per part', () => {
  assert.equal(parts('a'.repeat(306)), 2);
  assert.equal(parts('a'.repeat(307)), 3);
  assert.equal(parts('a'.repeat(459)), 3);
  assert.equal(parts('a'.repeat(460)), 4);
});

test('GSM-7: extension characters count 2 septets', () => {
  for (const ext of ['^', '{', '}', '\\', '[', ']', '~', '|', '€', '\f']) {
    assert.deepEqual(countSmsParts(ext.repeat(80)), { encoding: 'GSM7', parts: 1 }, ext);
    assert.equal(parts(ext.repeat(80) + 'a'), 2, ext);
  }
  assert.equal(parts('a'.repeat(159) + '€'), 2);
  assert.equal(parts('a'.repeat(158) + '€'), 1);
});

test('GSM-7: an escape pair is never split across parts', () => {
  // 152 + [€ does not fit in 153] → part 2 holds € + 151, the last 'a' makes part 3.
  assert.equal(parts('a'.repeat(152) + '€' + 'a'.repeat(152)), 3);
  assert.equal(parts('a'.repeat(151) + '€' + 'a'.repeat(153)), 2);
});

test('GSM-7 basic characters outside ASCII stay GSM-7', () => {
  assert.equal(countSmsParts('£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà@$\n\r').encoding, 'GSM7');
});

test('UCS-2: 70 units fit one part, 71 need two; multipart holds 67', () => {
  assert.deepEqual(countSmsParts('я'.repeat(70)), { encoding: 'UCS2', parts: 1 });
  assert.deepEqual(countSmsParts('я'.repeat(71)), { encoding: 'UCS2', parts: 2 });
  assert.equal(parts('я'.repeat(134)), 2);
  assert.equal(parts('я'.repeat(135)), 3);
});

test('UCS-2: one non-GSM character switches the whole text', () => {
  assert.deepEqual(countSmsParts('a'.repeat(69) + 'я'), { encoding: 'UCS2', parts: 1 });
  assert.equal(parts('a'.repeat(70) + 'я'), 2);
});

test('UCS-2: surrogate pairs count 2 units and are never split', () => {
  assert.equal(parts('😀'.repeat(35)), 1);
  assert.equal(parts('😀'.repeat(36)), 2);
  // 66 + [😀 does not fit in 67] → part 2 holds 😀 + 65, the last 'я' makes part 3.
  assert.equal(parts('я'.repeat(66) + '😀' + 'я'.repeat(66)), 3);
  assert.equal(parts('я'.repeat(65) + '😀' + 'я'.repeat(67)), 2);
});

test('an empty text is one GSM-7 part', () => {
  assert.deepEqual(countSmsParts(''), { encoding: 'GSM7', parts: 1 });
});
