import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Channel } from '../../src/domain/channels.js';
import type { MessageDraft } from '../../src/domain/message.js';
import { validateBatch, type ValidationContext, type ValidationDetail } from '../../src/domain/validateBatch.js';

const NOW = Date.UTC(2024, 0, 10, 12, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const context: ValidationContext = { now: NOW, flashcallCodeLengths: [4] };
const wall = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
/** An astral character: 1 code point, 2 UTF-16 units. */
const E = '😀';
const VOICE_TEXT = 'Код авторизации от revicom: 3 4 5 6';

type Json = Record<string, unknown>;
const BASE: Record<Channel, Json> = {
  VOICECODE: {
    channelType: 'VOICECODE',
    senderName: 'voicecode',
    destination: '79261234567',
    content: { contentType: 'text', text: VOICE_TEXT },
  },
  FLASHCALL: { channelType: 'FLASHCALL', senderName: 'flash', destination: '79261234567', content: '0123' },
  SMS: { channelType: 'SMS', senderName: 'Shop', destination: '79261234567', content: 'Hello' },
  WHATSAPP: {
    channelType: 'WHATSAPP',
    senderName: 'Shop',
    destination: '79261234567',
    content: { contentType: 'text', text: 'Your order has shipped' },
  },
  VK: { channelType: 'VK', senderName: 'club1', destination: '79261234567', content: 'Hello' },
};
const ALL: Channel[] = ['VOICECODE', 'FLASHCALL', 'SMS', 'WHATSAPP', 'VK'];
const SCHEDULED: Channel[] = ['SMS', 'WHATSAPP', 'VK'];
const VOICE: Channel[] = ['VOICECODE', 'FLASHCALL'];

function item(channel: Channel, fields: Json = {}): Json {
  return { ...BASE[channel], ...fields };
}

function accept(channel: Channel, fields: Json = {}, ctx: ValidationContext = context): MessageDraft {
  const result = validateBatch([item(channel, fields)], ctx);
  assert.ok(result.ok, `expected acceptance, got ${JSON.stringify(result)}`);
  assert.equal(result.drafts.length, 1);
  return result.drafts[0]!;
}

/** Asserts the single item fails with exactly these (field, msg-regex?) details and top-level msg. */
function reject(channel: Channel, fields: Json, msg: string, field: string, ctx: ValidationContext = context): ValidationDetail {
  const result = validateBatch([item(channel, fields)], ctx);
  assert.equal(result.ok, false, `expected rejection of ${JSON.stringify(fields)}`);
  if (result.ok) throw new Error('unreachable');
  assert.equal(result.msg, msg);
  assert.ok(result.details !== null);
  assert.equal(result.details.length, 1, JSON.stringify(result.details));
  assert.equal(result.details[0]!.index, 0);
  assert.equal(result.details[0]!.field, field);
  assert.ok(result.details[0]!.msg.length > 0);
  return result.details[0]!;
}

describe('envelope', () => {
  for (const [name, body] of [
    ['an object', { channelType: 'SMS' }],
    ['a string', 'x'],
    ['null', null],
    ['a number', 1],
    ['an empty array', []],
    ['1001 items', Array.from({ length: 1001 }, () => item('SMS'))],
  ] as const) {
    test(`${name} is an invalid request without details`, () => {
      assert.deepEqual(validateBatch(body, context), { ok: false, msg: 'Invalid request', details: null });
    });
  }

  test('1 and 1000 items are accepted', () => {
    const one = validateBatch([item('SMS')], context);
    assert.ok(one.ok && one.drafts.length === 1);
    const full = validateBatch(Array.from({ length: 1000 }, (_, i) => item(ALL[i % 5]!)), context);
    assert.ok(full.ok && full.drafts.length === 1000);
    assert.deepEqual(
      full.drafts.slice(0, 5).map((d) => d.channelType),
      ALL,
    );
  });

  test('1001 invalid items are still an envelope failure', () => {
    assert.deepEqual(validateBatch(Array.from({ length: 1001 }, () => 5), context).ok, false);
    assert.equal((validateBatch(Array.from({ length: 1001 }, () => 5), context) as { details: unknown }).details, null);
  });
});

describe('items that are not objects', () => {
  for (const value of [5, 'x', null, true, [], [item('SMS')]]) {
    test(`${JSON.stringify(value)} fails with field ""`, () => {
      assert.deepEqual(validateBatch([value], context), {
        ok: false,
        msg: 'Invalid request',
        details: [{ index: 0, field: '', msg: 'Invalid request' }],
      });
    });
  }
});

describe('channelType', () => {
  for (const value of [undefined, null, 'VIBER', 'sms', 'Sms', ' SMS', 5, ['SMS'], {}]) {
    test(`${JSON.stringify(value)} is invalid and the rest of the item is skipped`, () => {
      const body = [{ channelType: value, senderName: 5, destination: 'x', content: null, ttl: 'y' }];
      const result = validateBatch(body, context);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.msg, 'Invalid channelType');
      assert.equal(result.details!.length, 1);
      assert.equal(result.details![0]!.field, 'channelType');
    });
  }
  test('every channel is accepted', () => {
    for (const channel of ALL) assert.equal(accept(channel).channelType, channel);
  });
});

describe('senderName', () => {
  test('VOICECODE: exactly "voicecode", case-sensitive', () => {
    accept('VOICECODE', { senderName: 'voicecode' });
    for (const name of ['Voicecode', 'VOICECODE', 'voicecode ', ' voicecode', 'voice', '', '\uFEFFvoicecode', 5]) {
      reject('VOICECODE', { senderName: name }, 'Invalid senderName', 'senderName');
    }
  });
  for (const channel of ['FLASHCALL', 'SMS', 'WHATSAPP', 'VK'] as const) {
    test(`${channel}: 1-64 characters (code points)`, () => {
      assert.equal(accept(channel, { senderName: 'a' }).senderName, 'a');
      assert.equal(accept(channel, { senderName: E.repeat(64) }).senderName, E.repeat(64));
      reject(channel, { senderName: E.repeat(65) }, 'Invalid senderName', 'senderName');
      reject(channel, { senderName: 'a'.repeat(65) }, 'Invalid senderName', 'senderName');
      reject(channel, { senderName: '' }, 'Invalid senderName', 'senderName');
      reject(channel, { senderName: 123 }, 'Invalid senderName', 'senderName');
    });
    test(`${channel}: a leading BOM is invalid, elsewhere it is a character`, () => {
      const detail = reject(channel, { senderName: '\uFEFFShop' }, 'Invalid senderName', 'senderName');
      assert.match(detail.msg, /FEFF/);
      accept(channel, { senderName: 'Sh\uFEFFop' });
    });
  }
  for (const channel of ALL) {
    test(`${channel}: required; null is missing`, () => {
      assert.equal(reject(channel, { senderName: undefined }, 'Invalid senderName', 'senderName').msg, 'is required');
      assert.equal(reject(channel, { senderName: null }, 'Invalid senderName', 'senderName').msg, 'is required');
    });
  }
});

describe('destination', () => {
  test('10 and 15 digits are accepted, the + is stripped', () => {
    assert.equal(accept('SMS', { destination: '1234567890' }).destination, '1234567890');
    assert.equal(accept('SMS', { destination: '123456789012345' }).destination, '123456789012345');
    assert.equal(accept('SMS', { destination: '+123456789012345' }).destination, '123456789012345');
    assert.equal(accept('VK', { destination: '+79261234567' }).destination, '79261234567');
    assert.equal(accept('SMS', { destination: '89261234567' }).destination, '89261234567');
  });
  test('9 and 16 digits, and anything but digits, are Invalid msisdn', () => {
    for (const destination of [
      '123456789',
      '+123456789',
      '1234567890123456',
      '+1234567890123456',
      '0123456789',
      '++79261234567',
      '7926123456+',
      '+7 926 123 45 67',
      '7-926-123-45-67',
      '+7(926)1234567',
      ' 79261234567',
      '７９２６１２３４５６７',
      79261234567,
      '',
    ]) {
      const detail = reject('SMS', { destination }, 'Invalid msisdn', 'destination');
      assert.equal(detail.msg, 'must be 10-15 digits with an optional leading +');
    }
  });
  test('required', () => {
    for (const channel of ALL) reject(channel, { destination: null }, 'Invalid msisdn', 'destination');
  });
});

describe('VOICECODE content', () => {
  const valid = [
    'Код авторизации от revicom: 3 4 5 6',
    'Код авторизации от live-chat: 1234.',
    'Код авторизации от Мой Банк: 1-2-3-4-5-6',
    'Код авторизации от shop.example: 1_2_3_4_5_6_7_8',
    'Код авторизации от acme: 1.2.3.4',
    'Код авторизации от acme: 12345678',
    `Код авторизации от ${'b'.repeat(50)}: 1234`,
    'Код авторизации от Café́: 1234',
  ];
  const invalid = [
    'Код авторизации от acme: 123',
    'Код авторизации от acme: 123456789',
    'Код авторизации от acme: 1 2 3 4 5 6 7 8 9',
    'Код авторизации от acme: 12-34-56',
    'Код авторизации от acme: 1-2.3-4',
    'Код авторизации от acme: 1  2 3 4',
    'код авторизации от acme: 1234',
    'Код авторизации от acme 1234',
    'Код авторизации от : 1234',
    'Your code from acme: 1234',
    'Код авторизации от  acme: 1234',
    'Код авторизации от acme : 1234',
    `Код авторизации от ${'b'.repeat(51)}: 1234`,
    'Код авторизации от acme: 1234..',
    'Код авторизации от acme: 1234 ',
    ' Код авторизации от acme: 1234',
    '\uFEFFКод авторизации от acme: 1234',
    'Код авторизации от acme!: 1234',
    'Код авторизации от acme: １２３４',
    '',
    'x'.repeat(1001),
  ];
  for (const text of valid) {
    test(`accepts ${JSON.stringify(text.slice(0, 60))}`, () => {
      assert.deepEqual(accept('VOICECODE', { content: { contentType: 'text', text } }).content, { contentType: 'text', text });
    });
  }
  for (const text of invalid) {
    test(`rejects ${JSON.stringify(text.slice(0, 60))}`, () => {
      const detail = reject('VOICECODE', { content: { contentType: 'text', text } }, 'Invalid content', 'content.text');
      assert.equal(detail.msg, 'does not match the VOICECODE template');
    });
  }
  test('content must be an object with contentType "text"', () => {
    reject('VOICECODE', { content: VOICE_TEXT }, 'Invalid content', 'content');
    reject('VOICECODE', { content: [VOICE_TEXT] }, 'Invalid content', 'content');
    reject('VOICECODE', { content: null }, 'Invalid content', 'content');
    reject('VOICECODE', { content: { contentType: 'TEXT', text: VOICE_TEXT } }, 'Invalid content', 'content.contentType');
    reject('VOICECODE', { content: { contentType: 'template', text: VOICE_TEXT } }, 'Invalid content', 'content.contentType');
    assert.equal(reject('VOICECODE', { content: { text: VOICE_TEXT } }, 'Invalid content', 'content.contentType').msg, 'is required');
    assert.equal(reject('VOICECODE', { content: { contentType: 'text' } }, 'Invalid content', 'content.text').msg, 'is required');
    reject('VOICECODE', { content: { contentType: 'text', text: 1234 } }, 'Invalid content', 'content.text');
  });
  test('other keys inside content are ignored and dropped', () => {
    const draft = accept('VOICECODE', { content: { contentType: 'text', text: VOICE_TEXT, voice: 'x', speed: 2 } });
    assert.deepEqual(draft.content, { contentType: 'text', text: VOICE_TEXT });
  });
});

describe('FLASHCALL content', () => {
  test('exactly 4 ASCII digits by default, leading zeros allowed', () => {
    assert.equal(accept('FLASHCALL', { content: '0000' }).content, '0000');
    assert.equal(accept('FLASHCALL', { content: '9876' }).content, '9876');
    for (const content of ['123', '12345', '', '12a4', ' 1234', '1234 ', '١٢٣٤', '１２３４', '12.4']) {
      const detail = reject('FLASHCALL', { content }, 'Invalid content', 'content');
      assert.equal(detail.msg, 'must be a string of exactly 4 digits');
    }
  });
  test('a JSON number is invalid', () => {
    reject('FLASHCALL', { content: 1234 }, 'Invalid content', 'content');
    reject('FLASHCALL', { content: { code: '1234' } }, 'Invalid content', 'content');
  });
  test('the account setting decides the lengths', () => {
    const ctx46 = { now: NOW, flashcallCodeLengths: [6, 4] };
    accept('FLASHCALL', { content: '1234' }, ctx46);
    accept('FLASHCALL', { content: '123456' }, ctx46);
    assert.equal(reject('FLASHCALL', { content: '12345' }, 'Invalid content', 'content', ctx46).msg, 'must be a string of exactly 4 or 6 digits');
    reject('FLASHCALL', { content: '1234567' }, 'Invalid content', 'content', ctx46);
    const ctx5 = { now: NOW, flashcallCodeLengths: [5] };
    accept('FLASHCALL', { content: '12345' }, ctx5);
    reject('FLASHCALL', { content: '1234' }, 'Invalid content', 'content', ctx5);
    const all = { now: NOW, flashcallCodeLengths: [4, 5, 6] };
    for (const code of ['1234', '12345', '123456']) accept('FLASHCALL', { content: code }, all);
    assert.equal(reject('FLASHCALL', { content: '123' }, 'Invalid content', 'content', all).msg, 'must be a string of exactly 4, 5 or 6 digits');
  });
  test('an empty or out-of-range setting falls back to 4', () => {
    for (const lengths of [[], [7], [3, 8]]) {
      const ctx = { now: NOW, flashcallCodeLengths: lengths };
      accept('FLASHCALL', { content: '1234' }, ctx);
      reject('FLASHCALL', { content: '1234567' }, 'Invalid content', 'content', ctx);
    }
  });
});

describe('SMS and VK content', () => {
  for (const channel of ['SMS', 'VK'] as const) {
    test(`${channel}: 1-2048 characters`, () => {
      accept(channel, { content: 'a' });
      accept(channel, { content: E.repeat(2048) });
      reject(channel, { content: E.repeat(2049) }, 'Invalid content', 'content');
      reject(channel, { content: '' }, 'Invalid content', 'content');
    });
    test(`${channel}: must be a string without a leading BOM`, () => {
      reject(channel, { content: 1234 }, 'Invalid content', 'content');
      reject(channel, { content: { contentType: 'text', text: 'x' } }, 'Invalid content', 'content');
      reject(channel, { content: '\uFEFFHello' }, 'Invalid content', 'content');
      reject(channel, { content: null }, 'Invalid content', 'content');
    });
  }
  test('SMS totalParts follows the part count; other channels count 1', () => {
    assert.equal(accept('SMS', { content: 'a'.repeat(160) }).totalParts, 1);
    assert.equal(accept('SMS', { content: 'a'.repeat(161) }).totalParts, 2);
    assert.equal(accept('SMS', { content: 'я'.repeat(71) }).totalParts, 2);
    assert.equal(accept('VK', { content: 'a'.repeat(2048) }).totalParts, 1);
    for (const channel of ['VOICECODE', 'FLASHCALL', 'WHATSAPP'] as const) assert.equal(accept(channel).totalParts, 1);
  });
});

describe('WHATSAPP content', () => {
  const template = (fields: Json = {}) => ({ contentType: 'template', templateId: 'order_shipped', language: 'en_US', ...fields });
  test('text variant: 1-4096 characters', () => {
    assert.deepEqual(accept('WHATSAPP', { content: { contentType: 'text', text: E.repeat(4096), extra: 1 } }).content, {
      contentType: 'text',
      text: E.repeat(4096),
    });
    reject('WHATSAPP', { content: { contentType: 'text', text: E.repeat(4097) } }, 'Invalid content', 'content.text');
    reject('WHATSAPP', { content: { contentType: 'text', text: '' } }, 'Invalid content', 'content.text');
    reject('WHATSAPP', { content: { contentType: 'text', text: '\uFEFFhi' } }, 'Invalid content', 'content.text');
    reject('WHATSAPP', { content: { contentType: 'text' } }, 'Invalid content', 'content.text');
  });
  test('template variant, with parameters defaulting to []', () => {
    assert.deepEqual(accept('WHATSAPP', { content: template() }).content, {
      contentType: 'template',
      templateId: 'order_shipped',
      language: 'en_US',
      parameters: [],
    });
    assert.deepEqual((accept('WHATSAPP', { content: template({ parameters: null }) }).content as { parameters: string[] }).parameters, []);
    assert.deepEqual(
      (accept('WHATSAPP', { content: template({ parameters: ['42', '2024-05-02'] }) }).content as { parameters: string[] }).parameters,
      ['42', '2024-05-02'],
    );
  });
  test('templateId: 1-512 characters', () => {
    accept('WHATSAPP', { content: template({ templateId: E.repeat(512) }) });
    reject('WHATSAPP', { content: template({ templateId: E.repeat(513) }) }, 'Invalid content', 'content.templateId');
    reject('WHATSAPP', { content: template({ templateId: '' }) }, 'Invalid content', 'content.templateId');
    reject('WHATSAPP', { content: template({ templateId: '\uFEFFx' }) }, 'Invalid content', 'content.templateId');
    reject('WHATSAPP', { content: template({ templateId: 5 }) }, 'Invalid content', 'content.templateId');
    reject('WHATSAPP', { content: template({ templateId: undefined }) }, 'Invalid content', 'content.templateId');
  });
  test('language: ^[a-z]{2,3}(_[A-Z]{2})?$', () => {
    for (const language of ['ru', 'en_US', 'fil', 'pt_BR']) accept('WHATSAPP', { content: template({ language }) });
    for (const language of ['e', 'engl', 'EN', 'en_us', 'en-US', 'en_USA', 'en_', '', '\uFEFFru', 5]) {
      reject('WHATSAPP', { content: template({ language }) }, 'Invalid content', 'content.language');
    }
  });
  test('parameters: at most 20, each 1-1024 characters', () => {
    accept('WHATSAPP', { content: template({ parameters: Array(20).fill('x') }) });
    reject('WHATSAPP', { content: template({ parameters: Array(21).fill('x') }) }, 'Invalid content', 'content.parameters');
    accept('WHATSAPP', { content: template({ parameters: [E.repeat(1024)] }) });
    reject('WHATSAPP', { content: template({ parameters: ['ok', E.repeat(1025)] }) }, 'Invalid content', 'content.parameters[1]');
    reject('WHATSAPP', { content: template({ parameters: [''] }) }, 'Invalid content', 'content.parameters[0]');
    reject('WHATSAPP', { content: template({ parameters: ['\uFEFFx'] }) }, 'Invalid content', 'content.parameters[0]');
    reject('WHATSAPP', { content: template({ parameters: [42] }) }, 'Invalid content', 'content.parameters[0]');
    reject('WHATSAPP', { content: template({ parameters: 'x' }) }, 'Invalid content', 'content.parameters');
  });
  test('any other contentType, or a non-object content, is Invalid content', () => {
    reject('WHATSAPP', { content: { contentType: 'image', url: 'x' } }, 'Invalid content', 'content.contentType');
    reject('WHATSAPP', { content: { contentType: 'TEXT', text: 'x' } }, 'Invalid content', 'content.contentType');
    reject('WHATSAPP', { content: { text: 'x' } }, 'Invalid content', 'content.contentType');
    for (const content of ['Hello', 5, [], [{ contentType: 'text', text: 'x' }]]) {
      reject('WHATSAPP', { content }, 'Invalid content', 'content');
    }
  });
  test('several failures inside one template are listed in order', () => {
    const result = validateBatch([item('WHATSAPP', { content: template({ templateId: '', language: 'EN', parameters: ['', 'a', ''] }) })], context);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.details!.map((d) => d.field),
      ['content.templateId', 'content.language', 'content.parameters[0]', 'content.parameters[2]'],
    );
  });
});

describe('ttl', () => {
  for (const channel of VOICE) {
    test(`${channel}: 30-86400`, () => {
      assert.equal(accept(channel, { ttl: 30 }).ttl, 30);
      assert.equal(accept(channel, { ttl: 86400 }).ttl, 86400);
      assert.equal(reject(channel, { ttl: 29 }, 'Invalid ttl', 'ttl').msg, 'must be an integer from 30 to 86400');
      reject(channel, { ttl: 86401 }, 'Invalid ttl', 'ttl');
    });
  }
  for (const channel of SCHEDULED) {
    test(`${channel}: 60-86400`, () => {
      assert.equal(accept(channel, { ttl: 60 }).ttl, 60);
      assert.equal(accept(channel, { ttl: 86400 }).ttl, 86400);
      assert.equal(reject(channel, { ttl: 59 }, 'Invalid ttl', 'ttl').msg, 'must be an integer from 60 to 86400');
      reject(channel, { ttl: 30 }, 'Invalid ttl', 'ttl');
      reject(channel, { ttl: 86401 }, 'Invalid ttl', 'ttl');
    });
  }
  test('60.0 parses to 60 and is accepted; fractions, strings and booleans are not', () => {
    assert.equal(accept('SMS', JSON.parse('{"ttl": 60.0}') as Json).ttl, 60);
    for (const ttl of [60.5, '60', true, [60], -60]) reject('SMS', { ttl }, 'Invalid ttl', 'ttl');
  });
  test('absent or null: null (the default lifetime)', () => {
    assert.equal(accept('SMS').ttl, null);
    assert.equal(accept('SMS', { ttl: null }).ttl, null);
  });
});

describe('tags', () => {
  test('at most 20, duplicates kept', () => {
    const twenty = Array.from({ length: 20 }, (_, i) => `t${i % 3}`);
    assert.deepEqual(accept('SMS', { tags: twenty }).tags, twenty);
    assert.equal(reject('SMS', { tags: [...twenty, 'x'] }, 'Invalid tags', 'tags').msg, 'must be an array of at most 20 tags');
  });
  test('each 1-64 characters of \\w', () => {
    accept('VOICECODE', { tags: ['a'.repeat(64), 'A_z_0_9'] });
    reject('VOICECODE', { tags: ['ok', 'a'.repeat(65)] }, 'Invalid tags', 'tags[1]');
    for (const tag of ['', 'a b', 'a-b', 'é', 'тег', 'a\n', '\uFEFFa', 5, null]) {
      reject('SMS', { tags: ['ok', 'fine', tag] }, 'Invalid tags', 'tags[2]');
    }
  });
  test('a string is a wrong type', () => {
    reject('SMS', { tags: 'promo' }, 'Invalid tags', 'tags');
  });
  test('empty, absent or null: no tags', () => {
    assert.deepEqual(accept('SMS', { tags: [] }).tags, []);
    assert.deepEqual(accept('SMS').tags, []);
    assert.deepEqual(accept('FLASHCALL', { tags: null }).tags, []);
  });
  test('every bad tag is listed', () => {
    const result = validateBatch([item('SMS', { tags: ['a', 'b-c', 'd', 'e f'] })], context);
    assert.ok(!result.ok);
    assert.deepEqual(result.details!.map((d) => d.field), ['tags[1]', 'tags[3]']);
  });
});

describe('externalMessageId', () => {
  for (const channel of ALL) {
    test(`${channel}: at most 100 characters`, () => {
      assert.equal(accept(channel, { externalMessageId: E.repeat(100) }).externalMessageId, E.repeat(100));
      assert.equal(accept(channel, { externalMessageId: '' }).externalMessageId, '');
      reject(channel, { externalMessageId: E.repeat(101) }, 'Invalid externalMessageId', 'externalMessageId');
      reject(channel, { externalMessageId: 42 }, 'Invalid externalMessageId', 'externalMessageId');
      reject(channel, { externalMessageId: '\uFEFFid' }, 'Invalid externalMessageId', 'externalMessageId');
      assert.equal(accept(channel, { externalMessageId: null }).externalMessageId, null);
    });
  }
});

describe('callbackUrl and callbackEvents', () => {
  const url = 'https://login:password@example.com/callback';
  test('a valid URL is stored without its fragment', () => {
    assert.equal(accept('SMS', { callbackUrl: `${url}?a=1#top` }).callbackUrl, `${url}?a=1`);
    assert.equal(accept('VOICECODE', { callbackUrl: 'http://12.34.56.78:8080/callback' }).callbackUrl, 'http://12.34.56.78:8080/callback');
  });
  test('other URLs and types are Invalid callbackUrl', () => {
    for (const callbackUrl of ['ftp://example.com/', 'example.com', '/cb', 'https://exa mple.com', 'https://пример.рф/', 42, ['https://x.io']]) {
      reject('SMS', { callbackUrl }, 'Invalid callbackUrl', 'callbackUrl');
    }
  });
  test('at most 2048 characters', () => {
    const prefix = 'https://example.com/';
    accept('SMS', { callbackUrl: prefix + 'a'.repeat(2048 - prefix.length) });
    reject('SMS', { callbackUrl: prefix + 'a'.repeat(2049 - prefix.length) }, 'Invalid callbackUrl', 'callbackUrl');
  });
  test('events: the known values, deduplicated in order', () => {
    const draft = accept('WHATSAPP', { callbackUrl: url, callbackEvents: ['read', 'delivered', 'read', 'sent', 'price', 'click'] });
    assert.deepEqual(draft.callbackEvents, ['read', 'delivered', 'sent', 'price', 'click']);
  });
  test('an unknown event is invalid at its index', () => {
    reject('SMS', { callbackEvents: ['sent', 'opened'] }, 'Invalid callbackEvents', 'callbackEvents[1]');
    reject('SMS', { callbackEvents: ['Sent'] }, 'Invalid callbackEvents', 'callbackEvents[0]');
    reject('SMS', { callbackEvents: 'sent' }, 'Invalid callbackEvents', 'callbackEvents');
  });
  test('a URL with absent, null or empty events means ["delivered"]', () => {
    assert.deepEqual(accept('SMS', { callbackUrl: url }).callbackEvents, ['delivered']);
    assert.deepEqual(accept('SMS', { callbackUrl: url, callbackEvents: null }).callbackEvents, ['delivered']);
    assert.deepEqual(accept('SMS', { callbackUrl: url, callbackEvents: [] }).callbackEvents, ['delivered']);
  });
  test('no URL: events as given, or null', () => {
    assert.equal(accept('SMS').callbackEvents, null);
    assert.equal(accept('SMS', { callbackEvents: [] }).callbackEvents, null);
    assert.equal(accept('SMS', { callbackUrl: null }).callbackUrl, null);
    assert.deepEqual(accept('VK', { callbackEvents: ['sent', 'sent'] }).callbackEvents, ['sent']);
  });
  test('an event impossible on the channel is accepted', () => {
    assert.deepEqual(accept('VOICECODE', { callbackUrl: url, callbackEvents: ['read'] }).callbackEvents, ['read']);
  });
});

describe('useLocalTime and shortUrl', () => {
  for (const channel of SCHEDULED) {
    test(`${channel}: booleans with defaults true / false`, () => {
      const defaults = accept(channel);
      assert.equal(defaults.useLocalTime, true);
      assert.equal(defaults.shortUrl, false);
      const nulls = accept(channel, { useLocalTime: null, shortUrl: null });
      assert.equal(nulls.useLocalTime, true);
      assert.equal(nulls.shortUrl, false);
      const set = accept(channel, { useLocalTime: false, shortUrl: true });
      assert.equal(set.useLocalTime, false);
      assert.equal(set.shortUrl, true);
      for (const value of ['true', 1, 0, []]) {
        reject(channel, { useLocalTime: value }, 'Invalid useLocalTime', 'useLocalTime');
        reject(channel, { shortUrl: value }, 'Invalid shortUrl', 'shortUrl');
      }
    });
  }
});

describe('localSendTime and localCompletionTime', () => {
  test('localSendTime: now - 12 h and now + 7 days included, one second beyond is not', () => {
    assert.equal(accept('SMS', { localSendTime: wall(NOW - 12 * HOUR) }).localSendTime, wall(NOW - 12 * HOUR));
    accept('WHATSAPP', { localSendTime: wall(NOW + 7 * DAY) });
    reject('SMS', { localSendTime: wall(NOW - 12 * HOUR - 1000) }, 'Invalid localSendTime', 'localSendTime');
    reject('VK', { localSendTime: wall(NOW + 7 * DAY + 1000) }, 'Invalid localSendTime', 'localSendTime');
  });
  test('format and impossible dates', () => {
    const ctx = { now: Date.UTC(2021, 1, 25), flashcallCodeLengths: [4] };
    accept('SMS', { localSendTime: '2021-02-28 23:59:59' }, ctx);
    for (const value of ['2021-02-30 10:00:00', '2021-02-29 10:00:00', '2021-02-26 24:00:00', '2021-02-26 10:60:00', '2021-02-26 10:00:60']) {
      assert.equal(reject('SMS', { localSendTime: value }, 'Invalid localSendTime', 'localSendTime', ctx).msg, 'is not a real date and time');
    }
    for (const value of ['2021-02-26T10:00:00', '2021-02-26 10:00', '2021-02-26 10:00:00Z', '26.02.2021 10:00:00', 1614333600, '']) {
      reject('SMS', { localSendTime: value }, 'Invalid localSendTime', 'localSendTime', ctx);
    }
  });
  test('localCompletionTime: from localSendTime to now + 70 days', () => {
    const send = wall(NOW + DAY);
    const draft = accept('SMS', { localSendTime: send, localCompletionTime: send });
    assert.equal(draft.localCompletionTime, send);
    accept('SMS', { localSendTime: send, localCompletionTime: wall(NOW + 70 * DAY) });
    reject('SMS', { localSendTime: send, localCompletionTime: wall(NOW + 70 * DAY + 1000) }, 'Invalid localCompletionTime', 'localCompletionTime');
    const before = reject('SMS', { localSendTime: send, localCompletionTime: wall(NOW + DAY - 1000) }, 'Invalid localCompletionTime', 'localCompletionTime');
    assert.equal(before.msg, 'must not be earlier than localSendTime');
  });
  test('localCompletionTime without localSendTime: from now - 12 h', () => {
    accept('VK', { localCompletionTime: wall(NOW - 12 * HOUR) });
    reject('VK', { localCompletionTime: wall(NOW - 12 * HOUR - 1000) }, 'Invalid localCompletionTime', 'localCompletionTime');
    reject('VK', { localCompletionTime: '2024-02-30 00:00:00' }, 'Invalid localCompletionTime', 'localCompletionTime');
  });
  test('absent or null: null', () => {
    const draft = accept('SMS', { localSendTime: null, localCompletionTime: null });
    assert.equal(draft.localSendTime, null);
    assert.equal(draft.localCompletionTime, null);
  });
});

describe('hours and days', () => {
  test('hours: unique integers 0-23, not empty', () => {
    assert.deepEqual(accept('SMS', { hours: [0, 23] }).hours, [0, 23]);
    assert.deepEqual(accept('SMS', { hours: Array.from({ length: 24 }, (_, h) => h) }).hours?.length, 24);
    assert.equal(reject('SMS', { hours: [] }, 'Invalid hours', 'hours').msg, 'must be a non-empty array of unique hours 0-23');
    reject('SMS', { hours: [9, 9] }, 'Invalid hours', 'hours');
    reject('SMS', { hours: [9, 24] }, 'Invalid hours', 'hours[1]');
    reject('SMS', { hours: [-1] }, 'Invalid hours', 'hours[0]');
    reject('SMS', { hours: [9.5] }, 'Invalid hours', 'hours[0]');
    reject('SMS', { hours: ['9'] }, 'Invalid hours', 'hours[0]');
    reject('SMS', { hours: 9 }, 'Invalid hours', 'hours');
    assert.deepEqual(accept('WHATSAPP', JSON.parse('{"hours":[9.0]}') as Json).hours, [9]);
  });
  test('days: unique integers 1-7, not empty', () => {
    assert.deepEqual(accept('VK', { days: [1, 7] }).days, [1, 7]);
    reject('VK', { days: [] }, 'Invalid days', 'days');
    reject('VK', { days: [1, 1] }, 'Invalid days', 'days');
    reject('VK', { days: [0] }, 'Invalid days', 'days[0]');
    reject('VK', { days: [8] }, 'Invalid days', 'days[0]');
    reject('VK', { days: 'Mon' }, 'Invalid days', 'days');
  });
  test('absent or null: null', () => {
    const draft = accept('SMS', { hours: null, days: null });
    assert.equal(draft.hours, null);
    assert.equal(draft.days, null);
  });
});

describe('fields not defined for a channel are ignored', () => {
  for (const channel of VOICE) {
    test(`${channel} ignores scheduling fields and shortUrl`, () => {
      const draft = accept(channel, {
        useLocalTime: 'x',
        localSendTime: 'not a time',
        localCompletionTime: 5,
        hours: 'x',
        days: [],
        shortUrl: 'yes',
      });
      assert.equal(draft.useLocalTime, null);
      assert.equal(draft.localSendTime, null);
      assert.equal(draft.localCompletionTime, null);
      assert.equal(draft.hours, null);
      assert.equal(draft.days, null);
      assert.equal(draft.shortUrl, null);
      // Valid values are not stored either.
      const valid = accept(channel, { useLocalTime: false, hours: [1], shortUrl: true, localSendTime: wall(NOW) });
      assert.equal(valid.useLocalTime, null);
      assert.equal(valid.hours, null);
      assert.equal(valid.shortUrl, null);
      assert.equal(valid.localSendTime, null);
    });
  }
  test('unknown fields are ignored', () => {
    accept('SMS', { viberOptions: { x: 1 }, templateId: 5, cascade: [] });
  });
});

describe('drafts', () => {
  test('a full SMS item', () => {
    const draft = accept('SMS', {
      destination: '+79261234567',
      content: 'Code 1234',
      ttl: 3600,
      tags: ['otp', 'otp'],
      externalMessageId: 'ext-1',
      callbackUrl: 'https://example.com/cb#x',
      callbackEvents: ['sent', 'delivered', 'sent'],
      useLocalTime: false,
      localSendTime: wall(NOW + HOUR),
      localCompletionTime: wall(NOW + DAY),
      hours: [9, 10],
      days: [1, 2, 3],
      shortUrl: true,
    });
    assert.deepEqual(draft, {
      channelType: 'SMS',
      senderName: 'Shop',
      destination: '79261234567',
      content: 'Code 1234',
      ttl: 3600,
      tags: ['otp', 'otp'],
      externalMessageId: 'ext-1',
      callbackUrl: 'https://example.com/cb',
      callbackEvents: ['sent', 'delivered'],
      useLocalTime: false,
      localSendTime: wall(NOW + HOUR),
      localCompletionTime: wall(NOW + DAY),
      hours: [9, 10],
      days: [1, 2, 3],
      shortUrl: true,
      totalParts: 1,
    } satisfies MessageDraft);
  });
  test('a minimal VOICECODE item', () => {
    assert.deepEqual(accept('VOICECODE'), {
      channelType: 'VOICECODE',
      senderName: 'voicecode',
      destination: '79261234567',
      content: { contentType: 'text', text: VOICE_TEXT },
      ttl: null,
      tags: [],
      externalMessageId: null,
      callbackUrl: null,
      callbackEvents: null,
      useLocalTime: null,
      localSendTime: null,
      localCompletionTime: null,
      hours: null,
      days: null,
      shortUrl: null,
      totalParts: 1,
    } satisfies MessageDraft);
  });
  test('a minimal VK item gets the scheduled-channel defaults', () => {
    const draft = accept('VK');
    assert.equal(draft.useLocalTime, true);
    assert.equal(draft.shortUrl, false);
    assert.equal(draft.hours, null);
    assert.equal(draft.days, null);
  });
  test('drafts do not share arrays with the request', () => {
    const tags = ['a'];
    const body = [item('SMS', { tags })];
    const result = validateBatch(body, context);
    assert.ok(result.ok);
    tags.push('b');
    assert.deepEqual(result.drafts[0]!.tags, ['a']);
  });
  test('mixed channels keep request order', () => {
    const result = validateBatch([item('VK'), item('FLASHCALL'), item('SMS')], context);
    assert.ok(result.ok);
    assert.deepEqual(result.drafts.map((d) => d.channelType), ['VK', 'FLASHCALL', 'SMS']);
  });
});

describe('reporting', () => {
  test('details in item order then field order; msg is the first failure', () => {
    const body = [
      item('SMS'),
      item('SMS', { shortUrl: 'x', destination: '1', ttl: 1 }),
      'junk',
      item('VOICECODE', { content: { contentType: 'text', text: 'nope' }, senderName: 'x', hours: 'ignored' }),
      { channelType: 'VIBER', destination: 'x' },
      item('WHATSAPP', { days: [], hours: [], localCompletionTime: 'x', localSendTime: 'y', useLocalTime: 1, callbackEvents: ['x'], callbackUrl: 'x', externalMessageId: 1, tags: 'x' }),
    ];
    const result = validateBatch(body, context);
    assert.ok(!result.ok);
    assert.equal(result.msg, 'Invalid msisdn');
    assert.deepEqual(
      result.details!.map((d) => [d.index, d.field]),
      [
        [1, 'destination'],
        [1, 'ttl'],
        [1, 'shortUrl'],
        [2, ''],
        [3, 'senderName'],
        [3, 'content.text'],
        [4, 'channelType'],
        [5, 'tags'],
        [5, 'externalMessageId'],
        [5, 'callbackUrl'],
        [5, 'callbackEvents[0]'],
        [5, 'useLocalTime'],
        [5, 'localSendTime'],
        [5, 'localCompletionTime'],
        [5, 'hours'],
        [5, 'days'],
      ],
    );
  });
  test('the documented example: content first, then a later destination', () => {
    const body = [
      item('VOICECODE', { content: { contentType: 'text', text: 'Code 1234' } }),
      item('SMS'),
      item('SMS'),
      item('SMS', { destination: '123' }),
    ];
    assert.deepEqual(validateBatch(body, context), {
      ok: false,
      msg: 'Invalid content',
      details: [
        { index: 0, field: 'content.text', msg: 'does not match the VOICECODE template' },
        { index: 3, field: 'destination', msg: 'must be 10-15 digits with an optional leading +' },
      ],
    });
  });
  test('the top-level msg names each field as in the §5.4 table', () => {
    const cases: [Json, string][] = [
      [{ channelType: 'X' }, 'Invalid channelType'],
      [{ senderName: '' }, 'Invalid senderName'],
      [{ destination: '' }, 'Invalid msisdn'],
      [{ content: '' }, 'Invalid content'],
      [{ ttl: 0 }, 'Invalid ttl'],
      [{ tags: [''] }, 'Invalid tags'],
      [{ externalMessageId: 0 }, 'Invalid externalMessageId'],
      [{ callbackUrl: 'x' }, 'Invalid callbackUrl'],
      [{ callbackEvents: ['x'] }, 'Invalid callbackEvents'],
      [{ useLocalTime: 'x' }, 'Invalid useLocalTime'],
      [{ localSendTime: 'x' }, 'Invalid localSendTime'],
      [{ localCompletionTime: 'x' }, 'Invalid localCompletionTime'],
      [{ hours: [] }, 'Invalid hours'],
      [{ days: [] }, 'Invalid days'],
      [{ shortUrl: 'x' }, 'Invalid shortUrl'],
    ];
    for (const [fields, msg] of cases) {
      const result = validateBatch([item('SMS', fields)], context);
      assert.ok(!result.ok);
      assert.equal(result.msg, msg);
    }
  });
  test('details are capped at 100', () => {
    const body = Array.from({ length: 60 }, () => item('SMS', { destination: 'x', ttl: 1 }));
    const result = validateBatch(body, context);
    assert.ok(!result.ok);
    assert.equal(result.details!.length, 100);
    assert.deepEqual(result.details![99], { index: 49, field: 'ttl', msg: 'must be an integer from 60 to 86400' });
    assert.equal(result.msg, 'Invalid msisdn');
  });
  test('one failing item fails the whole batch, with no drafts', () => {
    const result = validateBatch([item('SMS'), item('SMS', { ttl: 1 }), item('SMS')], context);
    assert.deepEqual(result, { ok: false, msg: 'Invalid ttl', details: [{ index: 1, field: 'ttl', msg: 'must be an integer from 60 to 86400' }] });
  });
  test('a missing required field is "is required"', () => {
    const result = validateBatch([{ channelType: 'SMS' }], context);
    assert.ok(!result.ok);
    assert.deepEqual(result.details, [
      { index: 0, field: 'senderName', msg: 'is required' },
      { index: 0, field: 'destination', msg: 'is required' },
      { index: 0, field: 'content', msg: 'is required' },
    ]);
    assert.equal(result.msg, 'Invalid senderName');
  });
});

describe('null means absent for every optional field', () => {
  for (const channel of ALL) {
    test(channel, () => {
      accept(channel, {
        ttl: null,
        tags: null,
        externalMessageId: null,
        callbackUrl: null,
        callbackEvents: null,
        useLocalTime: null,
        localSendTime: null,
        localCompletionTime: null,
        hours: null,
        days: null,
        shortUrl: null,
      });
    });
  }
});
