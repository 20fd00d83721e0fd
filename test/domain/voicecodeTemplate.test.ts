import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VOICECODE_TEMPLATE_PATTERN, parseVoicecodeText } from '../../src/domain/voicecodeTemplate.js';

const PREFIX = 'Код авторизации от ';
const valid = (text: string) => parseVoicecodeText(text) !== null;

test('the pattern is the spec §6.1.2 regex, character for character', () => {
  const spec =
    '^Код авторизации от (?<brand>(?! )[\\p{L}\\p{M}0-9 ._-]{1,50}(?<! )): (?<code>[0-9]{4,8}|[0-9](?: [0-9]){3,7}|[0-9](?<sep>[-._])[0-9](?:\\k<sep>[0-9]){2,6})\\.?$';
  assert.equal(VOICECODE_TEMPLATE_PATTERN, spec);
});

test('the literal prefix is 19 characters', () => {
  assert.equal([...PREFIX].length, 19);
});

test('every valid row of the spec table is accepted, with its brand and digits', () => {
  assert.deepEqual(parseVoicecodeText('Код авторизации от revicom: 3 4 5 6'), { brand: 'revicom', digits: '3456' });
  assert.deepEqual(parseVoicecodeText('Код авторизации от live-chat: 1234.'), { brand: 'live-chat', digits: '1234' });
  assert.deepEqual(parseVoicecodeText('Код авторизации от Мой Банк: 1-2-3-4-5-6'), { brand: 'Мой Банк', digits: '123456' });
  assert.deepEqual(parseVoicecodeText('Код авторизации от shop.example: 1_2_3_4_5_6_7_8'), {
    brand: 'shop.example',
    digits: '12345678',
  });
});

test('every invalid row of the spec table is refused', () => {
  const rows: Array<[string, string]> = [
    ['Код авторизации от acme: 123', 'only 3 digits'],
    ['Код авторизации от acme: 123456789', '9 digits'],
    ['Код авторизации от acme: 12-34-56', 'a separator must stand between every pair of digits'],
    ['Код авторизации от acme: 1-2.3-4', 'mixed separators'],
    ['Код авторизации от acme: 1  2 3 4', 'double space'],
    ['код авторизации от acme: 1234', 'lowercase к'],
    ['Код авторизации от acme 1234', 'the colon is missing'],
    ['Код авторизации от : 1234', 'empty brand'],
    ['Your code from acme: 1234', 'a different template'],
  ];
  for (const [text, reason] of rows) assert.equal(parseVoicecodeText(text), null, reason);
});

test('code: 4 to 8 digits in each of the three forms, 3 and 9 refused', () => {
  const digits = '123456789';
  const forms: Array<(d: string) => string> = [
    (d) => d,
    (d) => [...d].join(' '),
    (d) => [...d].join('-'),
    (d) => [...d].join('.'),
    (d) => [...d].join('_'),
  ];
  for (const form of forms) {
    for (let n = 3; n <= 9; n++) {
      const code = form(digits.slice(0, n));
      const parsed = parseVoicecodeText(`${PREFIX}acme: ${code}`);
      if (n >= 4 && n <= 8) assert.deepEqual(parsed, { brand: 'acme', digits: digits.slice(0, n) }, code);
      else assert.equal(parsed, null, code);
    }
  }
});

test('code: the way it is written does not change the digits', () => {
  const all = ['12345', '1 2 3 4 5', '1-2-3-4-5', '1.2.3.4.5', '1_2_3_4_5', '12345.', '1.2.3.4.5.'];
  for (const text of all) assert.equal(parseVoicecodeText(`${PREFIX}acme: ${text}`)?.digits, '12345', text);
});

test('code: only ASCII digits, one separator between every pair, no separator at the ends', () => {
  for (const code of ['١٢٣٤', '１２３４', '12a4', '1-2-3-4-', '-1-2-3-4', ' 1234', '1 2 3 4 ', '1--2-3-4', '1/2/3/4', '1,2,3,4']) {
    assert.equal(valid(`${PREFIX}acme: ${code}`), false, code);
  }
});

test('one optional trailing period, nothing else after the code', () => {
  assert.equal(valid(`${PREFIX}acme: 1234.`), true);
  assert.equal(valid(`${PREFIX}acme: 1234..`), false);
  assert.equal(valid(`${PREFIX}acme: 1234!`), false);
  assert.equal(valid(`${PREFIX}acme: 1234 `), false);
});

test('no trimming: nothing before the prefix or after the text, not even whitespace or a newline', () => {
  for (const text of [` ${PREFIX}acme: 1234`, `${PREFIX}acme: 1234\n`, `\n${PREFIX}acme: 1234`, `${PREFIX}acme: 1234\t`, `x${PREFIX}acme: 1234`]) {
    assert.equal(valid(text), false, JSON.stringify(text));
  }
});

test('the prefix is exact: capital Cyrillic К, single spaces, no Latin look-alikes', () => {
  assert.equal(valid('Код  авторизации от acme: 1234'), false, 'double space');
  assert.equal(valid('Код авторизации  от acme: 1234'), false, 'double space before brand');
  assert.equal(valid('KOд авторизации от acme: 1234'), false, 'Latin K and O');
  assert.equal(valid('Код авторизации оt acme: 1234'), false, 'Latin t');
  assert.equal(valid('КОД АВТОРИЗАЦИИ ОТ acme: 1234'), false, 'case-sensitive');
});

test('the separator after the brand is exactly a colon and one space', () => {
  assert.equal(valid(`${PREFIX}acme:1234`), false);
  assert.equal(valid(`${PREFIX}acme:  1234`), false);
  assert.equal(valid(`${PREFIX}acme : 1234`), false, 'would end the brand with a space');
  assert.equal(valid(`${PREFIX}acme; 1234`), false);
});

test('brand: 1 to 50 characters', () => {
  assert.deepEqual(parseVoicecodeText(`${PREFIX}a: 1234`), { brand: 'a', digits: '1234' });
  assert.equal(valid(`${PREFIX}${'b'.repeat(50)}: 1234`), true);
  assert.equal(valid(`${PREFIX}${'b'.repeat(51)}: 1234`), false);
  assert.equal(valid(`${PREFIX}${'б'.repeat(50)}: 1234`), true, 'Cyrillic letters count one each');
  assert.equal(valid(`${PREFIX}${'б'.repeat(51)}: 1234`), false);
});

test('brand: does not begin or end with a space, may hold single or several inner spaces', () => {
  assert.equal(valid(`${PREFIX} acme: 1234`), false);
  assert.equal(valid(`${PREFIX}acme : 1234`), false);
  assert.equal(valid(`${PREFIX} : 1234`), false, 'a brand of one space');
  assert.equal(parseVoicecodeText(`${PREFIX}My Shop: 1234`)?.brand, 'My Shop');
  assert.equal(parseVoicecodeText(`${PREFIX}a  b: 1234`)?.brand, 'a  b');
});

test('brand: letters of any script with combining marks, ASCII digits, space . - _', () => {
  for (const brand of ['Acme', 'Магазин', 'Ελλάδα', 'ব্যাংক', '東京', 'café', 'cafe\u0301', 'shop24', 'a.b-c_d', '2gis', '-x-', '.', '_']) {
    assert.equal(parseVoicecodeText(`${PREFIX}${brand}: 1234`)?.brand, brand, brand);
  }
});

test('brand: any other character is refused', () => {
  for (const brand of ['a!b', 'a&b', "o'neil", 'a,b', 'a/b', 'a@b', 'a+b', 'a:b', 'a\tb', 'a\u00a0b', 'shop٣', 'a😀b', 'a(b)']) {
    assert.equal(valid(`${PREFIX}${brand}: 1234`), false, brand);
  }
});

test('the longest text the template can produce is 87 characters', () => {
  const longest = `${PREFIX}${'b'.repeat(50)}: 1-2-3-4-5-6-7-8.`;
  assert.equal(longest.length, 87);
  assert.deepEqual(parseVoicecodeText(longest), { brand: 'b'.repeat(50), digits: '12345678' });
});
