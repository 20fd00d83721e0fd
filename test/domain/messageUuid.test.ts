import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLowercaseUuid, isUuid } from '../../src/domain/messageUuid.js';

const ID = '01a21db6-0e52-7365-bd3b-551daade07c0';

test('isLowercaseUuid: only the form the gateway writes', () => {
  assert.equal(isLowercaseUuid(ID), true);
  assert.equal(isLowercaseUuid(ID.toUpperCase()), false);
  for (const bad of ['', ID.slice(1), `${ID}0`, ID.replaceAll('-', ''), ` ${ID}`, `${ID}\n`, ID.replace('0', 'g'), '{' + ID + '}']) {
    assert.equal(isLowercaseUuid(bad), false, JSON.stringify(bad));
  }
});

test('isUuid: any case, nothing else', () => {
  assert.equal(isUuid(ID), true);
  assert.equal(isUuid(ID.toUpperCase()), true);
  assert.equal(isUuid('01A21DB6-0e52-7365-BD3B-551daade07c0'), true);
  for (const bad of ['', `${ID}\n`, ID.replaceAll('-', ''), ID.replace('0', 'g')]) assert.equal(isUuid(bad), false, JSON.stringify(bad));
});
