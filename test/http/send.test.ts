/** POST /api/v1/message over real HTTP (spec §5, §6, §8.3): acceptance, validation, business rejections. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CANONICAL_VOICECODE, call, startGateway, type TestGateway } from '../support/gateway.js';
import {
  APPROVED_SENDERS,
  EXAMPLE_AUTH,
  ISO_SECONDS,
  JSON_CONTENT_TYPE,
  MESSAGE_FIELDS,
  SMS_SENDER,
  UUID_V7,
  WA_SENDER,
  balance,
  countMessages,
  exampleKeyAccount,
  flashcall,
  getMessage,
  isoSeconds,
  rawRequest,
  send,
  sendOk,
  sms,
  uniqueName,
  vk,
  voicecode,
  wallClock,
  whatsapp,
} from '../support/http.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The body of the spec's §6.1.5 curl, byte for byte. */
const CANONICAL_CURL_BODY =
  '[{"channelType":"VOICECODE","senderName":"voicecode","destination":"14085553911","content":{"contentType": "text","text": "Код авторизации от revicom: 3 4 5 6"},"callbackUrl":"https://company.com/callback","callbackEvents":["sent","delivered"],"tags":["tag1","tag2"]}]';

/** The pretty-printed request body of §6.1.5, as shown above the curl. */
const CANONICAL_PRETTY_BODY = `[
  {
    "channelType": "VOICECODE",
    "senderName": "voicecode",
    "destination": "14085553911",
    "content": {
        "contentType": "text",
        "text": "Код авторизации от revicom: 3 4 5 6"
    },
    "callbackUrl": "https://company.com/callback",
    "callbackEvents": [
      "sent",
      "delivered"
    ],
    "tags": [
      "tag1",
      "tag2"
    ]
  }
]`;

let gateway: TestGateway;
before(async () => {
  gateway = await startGateway();
});
after(() => gateway.close());

/** A fresh account: 1000 RUB, SMS and WHATSAPP senders approved. */
async function newAccount(options: Parameters<TestGateway['account']>[1] = {}) {
  return gateway.account(uniqueName('send'), { senders: APPROVED_SENDERS, ...options });
}

function assertCreatedShape(body: any, count: number): string[] {
  assert.equal(body.errors, false);
  assert.equal(body.items.length, count);
  return body.items.map((item: any) => {
    assert.deepEqual(Object.keys(item).sort(), ['code', 'messageUuid']);
    assert.equal(item.code, 201);
    assert.match(item.messageUuid, UUID_V7);
    return item.messageUuid as string;
  });
}

describe('the canonical VOICECODE request (§6.1.5)', () => {
  let canonicalUuid: string;
  let sentAt: number;

  it('sent verbatim (the curl body and headers) gets 200 {"errors":false,"items":[{"messageUuid":…,"code":201}]}', async () => {
    await exampleKeyAccount(gateway, uniqueName('example'));
    // A sub-second clock shows that timestamps are cut to whole seconds.
    gateway.clock.set(Date.parse('2026-05-01T10:00:00.789Z'));
    sentAt = gateway.clock.now();
    try {
      const response = await rawRequest(gateway, 'POST', '/api/v1/message', {
        headers: { 'Content-Type': 'application/json', Authorization: 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==' },
        body: CANONICAL_CURL_BODY,
      });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.headers['content-type'], JSON_CONTENT_TYPE);
      [canonicalUuid] = assertCreatedShape(response.body, 1) as [string];
      assert.equal(response.text, `{"errors":false,"items":[{"messageUuid":"${canonicalUuid}","code":201}]}`);
      assert.equal(canonicalUuid.length, 36);
      assert.equal(canonicalUuid, canonicalUuid.toLowerCase());
    } finally {
      gateway.clock.set(Date.parse('2026-05-01T10:00:00Z'));
    }
  });

  it('reads back field by field per §8.3', async () => {
    const response = await getMessage(gateway, EXAMPLE_AUTH, canonicalUuid);
    assert.equal(response.status, 200, response.text);
    assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
    const message = response.body;
    assert.deepEqual(Object.keys(message).sort(), [...MESSAGE_FIELDS].sort(), 'every field present');
    const created = isoSeconds(sentAt);
    assert.equal(created, '2026-05-01T10:00:00Z');
    assert.deepEqual(
      { ...message, brand: null, region: null },
      {
        messageUuid: canonicalUuid,
        externalMessageId: null,
        direction: 'outbound',
        channelType: 'VOICECODE',
        sendingMethog: 'API',
        sendingMethod: 'API',
        trafficType: 'AUTHORIZE',
        trafficCenterId: 1,
        templateId: null,
        dispatchId: null,
        senderName: 'voicecode',
        destination: '14085553911',
        brand: null,
        country: 'United States',
        countryCode: 'US',
        region: null,
        content: { contentType: 'text', text: 'Код авторизации от revicom: 3 4 5 6' },
        tags: ['tag1', 'tag2'],
        ttl: null,
        hours: null,
        days: null,
        localSendTime: null,
        localCompletionTime: null,
        useLocalTime: null,
        shortUrl: null,
        callbackUrl: 'https://company.com/callback',
        callbackEvents: ['sent', 'delivered'],
        totalParts: 1,
        price: null,
        createdTime: created,
        sentTime: null,
        statusTime: created,
        status: 'sending',
        errorCode: null,
        cascadeMessageUuid: null,
        cascadeStep: null,
      },
    );
    // brand and region are "string or null": the numbering plan may or may not know them.
    assert.ok(message.brand === null || typeof message.brand === 'string');
    assert.ok(message.region === null || typeof message.region === 'string');
    assert.match(message.createdTime, ISO_SECONDS);
    assert.equal(message.statusTime, message.createdTime);
  });

  it('the pretty-printed request body of §6.1.5 is accepted too', async () => {
    const { auth } = await newAccount();
    const response = await call(gateway, 'POST', '/api/v1/message', {
      auth,
      rawBody: CANONICAL_PRETTY_BODY,
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.status, 200, response.text);
    assertCreatedShape(response.body, 1);
  });

  it('the harness copy CANONICAL_VOICECODE is accepted and reads back the same', async () => {
    const { auth } = await newAccount();
    const [uuid] = await sendOk(gateway, auth, [CANONICAL_VOICECODE]);
    const message = (await getMessage(gateway, auth, uuid!)).body;
    assert.deepEqual(message.content, CANONICAL_VOICECODE.content);
    assert.deepEqual(message.tags, CANONICAL_VOICECODE.tags);
  });
});

describe('each channel: a minimal valid item (§6)', () => {
  const cases: [string, () => Record<string, unknown>, Record<string, unknown>][] = [
    ['VOICECODE', () => voicecode(), { trafficType: 'AUTHORIZE', useLocalTime: null, shortUrl: null, countryCode: 'US' }],
    ['FLASHCALL', () => flashcall(), { trafficType: 'AUTHORIZE', useLocalTime: null, shortUrl: null, content: '1234', senderName: 'any sender' }],
    ['SMS', () => sms(), { trafficType: 'SERVICE', useLocalTime: true, shortUrl: false, content: 'Hello', countryCode: 'RU', country: 'Russia' }],
    ['WHATSAPP text', () => whatsapp(), { trafficType: 'SERVICE', useLocalTime: true, shortUrl: false, content: { contentType: 'text', text: 'Your order 42 has shipped' } }],
    [
      'WHATSAPP template',
      () => whatsapp({ content: { contentType: 'template', templateId: 'order_shipped', language: 'en_US', parameters: ['42', '2024-05-02'] } }),
      { content: { contentType: 'template', templateId: 'order_shipped', language: 'en_US', parameters: ['42', '2024-05-02'] } },
    ],
    ['WHATSAPP template without parameters', () => whatsapp({ content: { contentType: 'template', templateId: 't1', language: 'ru' } }), {}],
    ['VK', () => vk(), { trafficType: 'SERVICE', useLocalTime: true, shortUrl: false, content: 'Привет', senderName: 'vk_group' }],
  ];
  for (const [name, item, expected] of cases) {
    it(`${name} → 201 and reads back (status sending, totalParts 1, price null)`, async () => {
      const { auth } = await newAccount();
      const [uuid] = await sendOk(gateway, auth, [item()]);
      const message = (await getMessage(gateway, auth, uuid!)).body;
      assert.deepEqual(Object.keys(message).sort(), [...MESSAGE_FIELDS].sort());
      assert.equal(message.channelType, item().channelType);
      assert.equal(message.status, 'sending');
      assert.equal(message.totalParts, 1);
      assert.equal(message.price, null);
      assert.equal(message.errorCode, null);
      assert.equal(message.sentTime, null);
      assert.deepEqual(message.tags, []);
      assert.equal(message.callbackUrl, null);
      assert.equal(message.callbackEvents, null);
      for (const [field, value] of Object.entries(expected)) assert.deepEqual(message[field], value, field);
    });
  }

  it('a WHATSAPP template with parameters: null reads back parameters [] (null = absent)', async () => {
    const { auth } = await newAccount();
    const [uuid] = await sendOk(gateway, auth, [whatsapp({ content: { contentType: 'template', templateId: 't1', language: 'ru', parameters: null } })]);
    const message = (await getMessage(gateway, auth, uuid!)).body;
    assert.deepEqual(message.content, { contentType: 'template', templateId: 't1', language: 'ru', parameters: [] });
  });

  it("SMS takes the sender's registered traffic type (§12.3)", async () => {
    const { auth, accountId } = await newAccount();
    await gateway.store.senders.approve({ accountId, channel: 'SMS', name: 'promo', trafficType: 'PROMO', startsAt: 0 });
    const [uuid] = await sendOk(gateway, auth, [sms({ senderName: 'promo' })]);
    assert.equal((await getMessage(gateway, auth, uuid!)).body.trafficType, 'PROMO');
  });

  it('all five channels mixed in one batch: one 201 per item, in order', async () => {
    const { auth } = await newAccount();
    const items = [sms(), voicecode(), vk(), flashcall(), whatsapp(), voicecode({ destination: '14085553912' })];
    const response = await send(gateway, auth, items);
    assert.equal(response.status, 200, response.text);
    const uuids = assertCreatedShape(response.body, items.length);
    assert.equal(new Set(uuids).size, uuids.length, 'distinct uuids');
    for (const [i, uuid] of uuids.entries()) {
      const message = (await getMessage(gateway, auth, uuid)).body;
      assert.equal(message.channelType, items[i]!.channelType);
      assert.equal(message.destination, items[i]!.destination);
    }
  });
});

describe('the envelope (§5.2 step 3)', () => {
  it('1000 items are accepted, with 1000 distinct time-ordered uuids', async () => {
    const { auth } = await newAccount({ billing: false });
    const items = Array.from({ length: 1000 }, (_, i) => voicecode({ destination: String(14085550000 + i) }));
    const response = await send(gateway, auth, items);
    assert.equal(response.status, 200, response.text.slice(0, 300));
    const uuids = assertCreatedShape(response.body, 1000);
    assert.equal(new Set(uuids).size, 1000);
    assert.deepEqual([...uuids].sort(), uuids, 'UUID v7 in creation order');
    assert.equal(await countMessages(gateway, auth), 1000);
  });

  it('1001 items → 422 Invalid request without details; nothing created', async () => {
    const { auth } = await newAccount({ billing: false });
    const items = Array.from({ length: 1001 }, () => voicecode());
    const response = await send(gateway, auth, items);
    assert.equal(response.status, 422);
    assert.equal(response.text, '{"error":{"code":4220,"msg":"Invalid request"}}');
    assert.equal(await countMessages(gateway, auth), 0);
  });

  for (const [name, body] of [
    ['{}', {}],
    ['[]', []],
    ['a string', 'abc'],
    ['a number', 42],
    ['true', true],
    ['null', null],
    ['a single item object', voicecode()],
  ] as const) {
    it(`${name} → 422 Invalid request without details`, async () => {
      const { auth } = await newAccount();
      const response = await call(gateway, 'POST', '/api/v1/message', {
        auth,
        rawBody: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(response.status, 422, response.text);
      assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
      assert.deepEqual(response.body, { error: { code: 4220, msg: 'Invalid request' } });
    });
  }
});

describe('validation is atomic (§5.2 step 4, §5.5)', () => {
  it('one bad item creates nothing, costs nothing; details give index/field/msg in item then field order', async () => {
    const { auth } = await newAccount();
    const before = await balance(gateway, auth);
    const items = [
      voicecode(),
      sms(),
      voicecode({ destination: '12345' }),
      vk(),
      voicecode({ content: { contentType: 'text', text: 'Your code from acme: 1234' }, ttl: 5 }),
    ];
    const response = await send(gateway, auth, items);
    assert.equal(response.status, 422, response.text);
    assert.equal(response.body.error.code, 4220);
    assert.equal(response.body.error.msg, 'Invalid msisdn', 'the msg of the first failure');
    const details = response.body.error.details as { index: number; field: string; msg: string }[];
    assert.deepEqual(
      details.map((d) => [d.index, d.field]),
      [
        [2, 'destination'],
        [4, 'content.text'],
        [4, 'ttl'],
      ],
    );
    for (const detail of details) {
      assert.deepEqual(Object.keys(detail).sort(), ['field', 'index', 'msg']);
      assert.equal(typeof detail.msg, 'string');
      assert.ok(detail.msg.length > 0);
    }
    assert.equal(await countMessages(gateway, auth), 0);
    assert.deepEqual(await balance(gateway, auth), before);
  });

  it('an invalid channelType skips the rest of that item (only one detail for it)', async () => {
    const { auth } = await newAccount();
    const response = await send(gateway, auth, [{ channelType: 'VIBER', destination: 'nope', ttl: 'x' }, voicecode({ destination: 'x' })]);
    assert.equal(response.status, 422);
    assert.equal(response.body.error.msg, 'Invalid channelType');
    assert.deepEqual(
      response.body.error.details.map((d: any) => [d.index, d.field]),
      [
        [0, 'channelType'],
        [1, 'destination'],
      ],
    );
  });

  it('a missing channelType → Invalid channelType', async () => {
    const { auth } = await newAccount();
    const response = await send(gateway, auth, [{ senderName: 'voicecode' }]);
    assert.equal(response.status, 422);
    assert.equal(response.body.error.msg, 'Invalid channelType');
    assert.deepEqual(response.body.error.details.map((d: any) => [d.index, d.field]), [[0, 'channelType']]);
  });

  it('an item that is not an object fails with field "" and Invalid request', async () => {
    const { auth } = await newAccount();
    const response = await send(gateway, auth, [voicecode(), 'item', null, 7, []]);
    assert.equal(response.status, 422);
    assert.equal(response.body.error.msg, 'Invalid request');
    assert.deepEqual(
      response.body.error.details.map((d: any) => [d.index, d.field]),
      [
        [1, ''],
        [2, ''],
        [3, ''],
        [4, ''],
      ],
    );
    assert.equal(await countMessages(gateway, auth), 0);
  });

  it('missing required fields are reported in the order of the §5.4 table', async () => {
    const { auth } = await newAccount();
    const response = await send(gateway, auth, [{ channelType: 'SMS' }]);
    assert.equal(response.status, 422);
    assert.equal(response.body.error.msg, 'Invalid senderName');
    assert.deepEqual(
      response.body.error.details.map((d: any) => d.field),
      ['senderName', 'destination', 'content'],
    );
  });

  it('every field wrong on one SMS item: one detail per field, in the order of the §5.4 table', async () => {
    const { auth } = await newAccount();
    const bad = 5;
    const response = await send(gateway, auth, [
      {
        shortUrl: bad,
        days: bad,
        hours: bad,
        localCompletionTime: bad,
        localSendTime: bad,
        useLocalTime: bad,
        callbackEvents: bad,
        callbackUrl: bad,
        externalMessageId: bad,
        tags: bad,
        ttl: 's',
        content: bad,
        destination: bad,
        senderName: bad,
        channelType: 'SMS',
      },
    ]);
    assert.equal(response.status, 422);
    assert.equal(response.body.error.msg, 'Invalid senderName');
    assert.deepEqual(
      response.body.error.details.map((d: any) => d.field),
      [
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
      ],
    );
  });

  it('details are capped at 100 entries', async () => {
    const { auth } = await newAccount();
    const items = Array.from({ length: 150 }, () => voicecode({ destination: 'bad' }));
    const response = await send(gateway, auth, items);
    assert.equal(response.status, 422);
    assert.equal(response.body.error.details.length, 100);
    assert.deepEqual(
      response.body.error.details.map((d: any) => d.index),
      Array.from({ length: 100 }, (_, i) => i),
    );
  });
});

describe('field boundaries over HTTP (§2.3, §5.4, §5.7–§5.10, §6)', () => {
  let auth: string;
  before(async () => {
    ({ auth } = await newAccount({ billing: false }));
  });

  async function accepts(item: Record<string, unknown>): Promise<any> {
    const response = await send(gateway, auth, [item]);
    assert.equal(response.status, 200, `expected acceptance of ${JSON.stringify(item)}: ${response.text}`);
    assert.equal(response.body.items[0].code, 201, response.text);
    return (await getMessage(gateway, auth, response.body.items[0].messageUuid)).body;
  }
  async function rejects(item: Record<string, unknown>, msg: string, field: string): Promise<void> {
    const response = await send(gateway, auth, [item]);
    assert.equal(response.status, 422, `expected 422 for ${JSON.stringify(item).slice(0, 200)}: ${response.text}`);
    assert.equal(response.body.error.code, 4220);
    assert.equal(response.body.error.msg, msg);
    assert.deepEqual(
      response.body.error.details.map((d: any) => [d.index, d.field]),
      [[0, field]],
    );
  }
  /** A raw body, for JSON spellings JSON.stringify cannot produce (60.0). */
  async function sendRaw(body: string) {
    return call(gateway, 'POST', '/api/v1/message', { auth, rawBody: body, headers: { 'content-type': 'application/json' } });
  }

  describe('ttl (§5.7)', () => {
    it('VOICECODE: 29 rejected, 30 and 86400 accepted, 86401 rejected; stored as submitted', async () => {
      await rejects(voicecode({ ttl: 29 }), 'Invalid ttl', 'ttl');
      assert.equal((await accepts(voicecode({ ttl: 30 }))).ttl, 30);
      assert.equal((await accepts(voicecode({ ttl: 86400 }))).ttl, 86400);
      await rejects(voicecode({ ttl: 86401 }), 'Invalid ttl', 'ttl');
    });
    it('FLASHCALL: 29 rejected, 30 accepted', async () => {
      await rejects(flashcall({ ttl: 29 }), 'Invalid ttl', 'ttl');
      assert.equal((await accepts(flashcall({ ttl: 30 }))).ttl, 30);
      await rejects(flashcall({ ttl: 86401 }), 'Invalid ttl', 'ttl');
    });
    for (const [name, make] of [
      ['SMS', sms],
      ['WHATSAPP', whatsapp],
      ['VK', vk],
    ] as const) {
      it(`${name}: 59 rejected, 60 and 86400 accepted, 86401 rejected`, async () => {
        await rejects(make({ ttl: 59 }), 'Invalid ttl', 'ttl');
        assert.equal((await accepts(make({ ttl: 60 }))).ttl, 60);
        assert.equal((await accepts(make({ ttl: 86400 }))).ttl, 86400);
        await rejects(make({ ttl: 86401 }), 'Invalid ttl', 'ttl');
      });
    }
    it('a string "60" and a fraction 60.5 are rejected; 60.0 is an integer', async () => {
      await rejects(sms({ ttl: '60' }), 'Invalid ttl', 'ttl');
      await rejects(sms({ ttl: 60.5 }), 'Invalid ttl', 'ttl');
      const body = JSON.stringify([sms({ ttl: 12345 })]).replace('"ttl":12345', '"ttl":60.0');
      assert.match(body, /"ttl":60\.0/);
      const response = await sendRaw(body);
      assert.equal(response.status, 200, response.text);
      assert.equal((await getMessage(gateway, auth, response.body.items[0].messageUuid)).body.ttl, 60);
    });
    it('absent ttl reads back null (the default lifetime)', async () => {
      assert.equal((await accepts(sms())).ttl, null);
    });
  });

  describe('destination (§2.3)', () => {
    it("a leading '+' is accepted and stored without it", async () => {
      assert.equal((await accepts(voicecode({ destination: '+14085553911' }))).destination, '14085553911');
    });
    it('9 digits rejected, 10 accepted, 15 accepted, 16 rejected', async () => {
      await rejects(voicecode({ destination: '123456789' }), 'Invalid msisdn', 'destination');
      assert.equal((await accepts(voicecode({ destination: '1234567890' }))).destination, '1234567890');
      assert.equal((await accepts(voicecode({ destination: '123456789012345' }))).destination, '123456789012345');
      await rejects(voicecode({ destination: '1234567890123456' }), 'Invalid msisdn', 'destination');
      await rejects(voicecode({ destination: '+123456789' }), 'Invalid msisdn', 'destination');
    });
    it('national formats are kept as they are', async () => {
      assert.equal((await accepts(sms({ destination: '89261234567' }))).destination, '89261234567');
    });
    for (const bad of ['01234567890', '+ 14085553911', '1 408 555 3911', '1-408-555-3911', '(408)5553911', '++14085553911', '１４０８５５５３９１１', '']) {
      it(`"${bad}" → Invalid msisdn`, async () => {
        await rejects(voicecode({ destination: bad }), 'Invalid msisdn', 'destination');
      });
    }
    it('a number in no known numbering plan is accepted, with country and countryCode null', async () => {
      const message = await accepts(voicecode({ destination: '999123456789' }));
      assert.equal(message.country, null);
      assert.equal(message.countryCode, null);
    });
    it('a JSON number → Invalid msisdn', async () => {
      await rejects(voicecode({ destination: 14085553911 }), 'Invalid msisdn', 'destination');
    });
  });

  describe('tags (§5.9)', () => {
    it('20 tags accepted, 21 rejected', async () => {
      const twenty = Array.from({ length: 20 }, (_, i) => `t${i}`);
      assert.deepEqual((await accepts(voicecode({ tags: twenty }))).tags, twenty);
      await rejects(voicecode({ tags: [...twenty, 'x'] }), 'Invalid tags', 'tags');
    });
    it('a tag of 64 characters accepted, 65 rejected; duplicates kept; [] means no tags', async () => {
      assert.deepEqual((await accepts(vk({ tags: ['a'.repeat(64)] }))).tags, ['a'.repeat(64)]);
      await rejects(vk({ tags: ['a'.repeat(65)] }), 'Invalid tags', 'tags[0]');
      assert.deepEqual((await accepts(vk({ tags: ['dup', 'dup', 'Mixed_Case_09'] }))).tags, ['dup', 'dup', 'Mixed_Case_09']);
      assert.deepEqual((await accepts(vk({ tags: [] }))).tags, []);
    });
    it('a tag outside ^\\w+$ (ASCII) is rejected at its index', async () => {
      await rejects(vk({ tags: ['ok', 'fine', 'not-ok'] }), 'Invalid tags', 'tags[2]');
      await rejects(vk({ tags: [''] }), 'Invalid tags', 'tags[0]');
      await rejects(vk({ tags: ['тег'] }), 'Invalid tags', 'tags[0]');
      await rejects(vk({ tags: ['a b'] }), 'Invalid tags', 'tags[0]');
      await rejects(vk({ tags: [5] }), 'Invalid tags', 'tags[0]');
    });
    it('a string instead of an array → Invalid tags', async () => {
      await rejects(vk({ tags: 'tag1' }), 'Invalid tags', 'tags');
    });
  });

  describe('externalMessageId (§5.9): characters are code points', () => {
    it('100 code points accepted (even when 200 UTF-16 units), 101 rejected; stored as submitted', async () => {
      const hundred = '😀'.repeat(100);
      assert.equal(hundred.length, 200);
      assert.equal((await accepts(voicecode({ externalMessageId: hundred }))).externalMessageId, hundred);
      assert.equal((await accepts(sms({ externalMessageId: 'x'.repeat(100) }))).externalMessageId, 'x'.repeat(100));
      await rejects(voicecode({ externalMessageId: '😀'.repeat(101) }), 'Invalid externalMessageId', 'externalMessageId');
      await rejects(vk({ externalMessageId: 'x'.repeat(101) }), 'Invalid externalMessageId', 'externalMessageId');
    });
    it('is not unique: the same id twice is accepted twice', async () => {
      await accepts(flashcall({ externalMessageId: 'order-1' }));
      await accepts(flashcall({ externalMessageId: 'order-1' }));
    });
    it('a number → Invalid externalMessageId', async () => {
      await rejects(sms({ externalMessageId: 42 }), 'Invalid externalMessageId', 'externalMessageId');
    });
  });

  describe('VOICECODE (§6.1)', () => {
    const valid = [
      'Код авторизации от revicom: 3 4 5 6',
      'Код авторизации от live-chat: 1234.',
      'Код авторизации от Мой Банк: 1-2-3-4-5-6',
      'Код авторизации от shop.example: 1_2_3_4_5_6_7_8',
    ];
    const invalid = [
      'Код авторизации от acme: 123',
      'Код авторизации от acme: 123456789',
      'Код авторизации от acme: 12-34-56',
      'Код авторизации от acme: 1-2.3-4',
      'Код авторизации от acme: 1  2 3 4',
      'код авторизации от acme: 1234',
      'Код авторизации от acme 1234',
      'Код авторизации от : 1234',
      'Your code from acme: 1234',
      ' Код авторизации от acme: 1234',
      'Код авторизации от acme: 1234 ',
      'Код авторизации от acme: 1234..',
      '',
    ];
    for (const text of valid) {
      it(`template accepts "${text}"`, async () => {
        assert.deepEqual((await accepts(voicecode({ content: { contentType: 'text', text } }))).content, { contentType: 'text', text });
      });
    }
    for (const text of invalid) {
      it(`template rejects "${text}" → Invalid content at content.text`, async () => {
        await rejects(voicecode({ content: { contentType: 'text', text } }), 'Invalid content', 'content.text');
      });
    }
    it('content as a string → Invalid content', async () => {
      await rejects(voicecode({ content: 'Код авторизации от acme: 1234' }), 'Invalid content', 'content');
    });
    it('contentType other than text → Invalid content', async () => {
      await rejects(voicecode({ content: { contentType: 'html', text: 'Код авторизации от acme: 1234' } }), 'Invalid content', 'content.contentType');
    });
    it('other keys inside content are ignored (not stored)', async () => {
      const message = await accepts(voicecode({ content: { contentType: 'text', text: 'Код авторизации от acme: 1234', voice: 'x' } }));
      assert.deepEqual(message.content, { contentType: 'text', text: 'Код авторизации от acme: 1234' });
    });
    it('senderName must be exactly "voicecode" (case-sensitive)', async () => {
      await rejects(voicecode({ senderName: 'Voicecode' }), 'Invalid senderName', 'senderName');
      await rejects(voicecode({ senderName: 'revicom' }), 'Invalid senderName', 'senderName');
    });
    it('scheduling fields and shortUrl are not defined for VOICECODE: ignored, read back null', async () => {
      const message = await accepts(voicecode({ localSendTime: 'garbage', hours: [], days: 'x', shortUrl: 'yes', useLocalTime: 3 }));
      assert.equal(message.localSendTime, null);
      assert.equal(message.hours, null);
      assert.equal(message.days, null);
      assert.equal(message.shortUrl, null);
      assert.equal(message.useLocalTime, null);
    });
  });

  describe('FLASHCALL (§6.2.1)', () => {
    it("'0123' is accepted (leading zero)", async () => {
      assert.equal((await accepts(flashcall({ content: '0123' }))).content, '0123');
    });
    it('the JSON number 1234 → Invalid content', async () => {
      await rejects(flashcall({ content: 1234 }), 'Invalid content', 'content');
    });
    for (const code of ['123', '12345', '12a4', ' 1234', '١٢٣٤']) {
      it(`"${code}" → Invalid content (default length 4)`, async () => {
        await rejects(flashcall({ content: code }), 'Invalid content', 'content');
      });
    }
    it('senderName: 64 characters accepted, 65 and empty rejected', async () => {
      await accepts(flashcall({ senderName: 'я'.repeat(64) }));
      await rejects(flashcall({ senderName: 'я'.repeat(65) }), 'Invalid senderName', 'senderName');
      await rejects(flashcall({ senderName: '' }), 'Invalid senderName', 'senderName');
    });
    it('an account allowed 6-digit codes gets "123456" accepted (§6.2.1 per-account setting)', async () => {
      const six = await newAccount({ billing: false });
      await gateway.store.accounts.setFlashcallCodeLengths(six.accountId, [4, 6]);
      const response = await send(gateway, six.auth, [flashcall({ content: '123456' }), flashcall({ content: '1234' })]);
      assert.equal(response.status, 200, response.text);
      const bad = await send(gateway, six.auth, [flashcall({ content: '12345' })]);
      assert.equal(bad.status, 422);
      assert.equal(bad.body.error.msg, 'Invalid content');
    });
  });

  describe('text content and senderName (§6.3–§6.5)', () => {
    it('SMS and VK content: 2048 characters accepted, 2049 and empty rejected', async () => {
      for (const make of [sms, vk]) {
        await accepts(make({ content: 'ж'.repeat(2048) }));
        await rejects(make({ content: 'ж'.repeat(2049) }), 'Invalid content', 'content');
        await rejects(make({ content: '' }), 'Invalid content', 'content');
      }
    });
    it('SMS and VK content that is not a string → Invalid content', async () => {
      await rejects(sms({ content: { contentType: 'text', text: 'x' } }), 'Invalid content', 'content');
      await rejects(vk({ content: 42 }), 'Invalid content', 'content');
    });
    it('WHATSAPP text: 4096 characters accepted, 4097 rejected', async () => {
      await accepts(whatsapp({ content: { contentType: 'text', text: 'w'.repeat(4096) } }));
      await rejects(whatsapp({ content: { contentType: 'text', text: 'w'.repeat(4097) } }), 'Invalid content', 'content.text');
    });
    it('WHATSAPP content that is a string or an unknown contentType → Invalid content', async () => {
      const a = await send(gateway, auth, [whatsapp({ content: 'hello' })]);
      assert.equal(a.status, 422);
      assert.equal(a.body.error.msg, 'Invalid content');
      const b = await send(gateway, auth, [whatsapp({ content: { contentType: 'image', url: 'x' } })]);
      assert.equal(b.status, 422);
      assert.equal(b.body.error.msg, 'Invalid content');
    });
    it('WHATSAPP template: 20 parameters accepted, 21 rejected; bad language rejected', async () => {
      const template = (extra: Record<string, unknown>) => whatsapp({ content: { contentType: 'template', templateId: 't', language: 'en_US', ...extra } });
      await accepts(template({ parameters: Array.from({ length: 20 }, () => 'p') }));
      const many = await send(gateway, auth, [template({ parameters: Array.from({ length: 21 }, () => 'p') })]);
      assert.equal(many.status, 422);
      assert.equal(many.body.error.msg, 'Invalid content');
      const language = await send(gateway, auth, [template({ language: 'english' })]);
      assert.equal(language.status, 422);
      assert.equal(language.body.error.msg, 'Invalid content');
    });
    it('a text beginning with U+FEFF is rejected (§2.1)', async () => {
      await rejects(sms({ content: '\uFEFFhello' }), 'Invalid content', 'content');
      await rejects(vk({ senderName: '\uFEFFgroup' }), 'Invalid senderName', 'senderName');
    });
    it('VK senderName: 64 accepted, 65 rejected', async () => {
      await accepts(vk({ senderName: 'v'.repeat(64) }));
      await rejects(vk({ senderName: 'v'.repeat(65) }), 'Invalid senderName', 'senderName');
    });
  });

  describe('scheduling (§5.8), relative to the injected clock', () => {
    it('localSendTime: now − 12 h and now + 7 days accepted, one second outside rejected', async () => {
      const now = gateway.clock.now();
      assert.equal(now % 1000, 0, 'the clock sits on a whole second');
      assert.equal((await accepts(sms({ localSendTime: wallClock(now - 12 * HOUR) }))).localSendTime, wallClock(now - 12 * HOUR));
      await rejects(sms({ localSendTime: wallClock(now - 12 * HOUR - 1000) }), 'Invalid localSendTime', 'localSendTime');
      await accepts(vk({ localSendTime: wallClock(now + 7 * DAY) }));
      await rejects(vk({ localSendTime: wallClock(now + 7 * DAY + 1000) }), 'Invalid localSendTime', 'localSendTime');
    });
    it('moving the clock moves the window', async () => {
      const original = gateway.clock.now();
      const value = wallClock(original + 7 * DAY + HOUR);
      await rejects(sms({ localSendTime: value }), 'Invalid localSendTime', 'localSendTime');
      gateway.clock.advance(2 * HOUR);
      try {
        assert.equal((await accepts(sms({ localSendTime: value }))).localSendTime, value);
        await rejects(sms({ localSendTime: wallClock(original - 11 * HOUR) }), 'Invalid localSendTime', 'localSendTime');
      } finally {
        gateway.clock.set(original);
      }
    });
    it('localSendTime: wrong format or impossible date → Invalid localSendTime', async () => {
      for (const bad of ['2026-05-01T10:00:00', '2026-05-01 10:00', '2026-02-30 10:00:00', '2026-05-01 24:00:00', 20260501]) {
        await rejects(sms({ localSendTime: bad }), 'Invalid localSendTime', 'localSendTime');
      }
    });
    it('localCompletionTime: from localSendTime (or now − 12 h) to now + 70 days', async () => {
      const now = gateway.clock.now();
      const send1 = wallClock(now + HOUR);
      await accepts(sms({ localSendTime: send1, localCompletionTime: send1 }));
      await rejects(sms({ localSendTime: send1, localCompletionTime: wallClock(now + HOUR - 1000) }), 'Invalid localCompletionTime', 'localCompletionTime');
      await accepts(sms({ localCompletionTime: wallClock(now + 70 * DAY) }));
      await rejects(sms({ localCompletionTime: wallClock(now + 70 * DAY + 1000) }), 'Invalid localCompletionTime', 'localCompletionTime');
      await accepts(sms({ localCompletionTime: wallClock(now - 12 * HOUR) }));
      await rejects(sms({ localCompletionTime: wallClock(now - 12 * HOUR - 1000) }), 'Invalid localCompletionTime', 'localCompletionTime');
      await rejects(sms({ localCompletionTime: '2026-02-29 10:00:00' }), 'Invalid localCompletionTime', 'localCompletionTime');
    });
    it('hours 0–23 and days 1–7, unique, non-empty', async () => {
      const message = await accepts(vk({ hours: [0, 23], days: [1, 7] }));
      assert.deepEqual(message.hours, [0, 23]);
      assert.deepEqual(message.days, [1, 7]);
      await rejects(vk({ hours: [] }), 'Invalid hours', 'hours');
      await rejects(vk({ hours: [24] }), 'Invalid hours', 'hours[0]');
      await rejects(vk({ hours: [-1] }), 'Invalid hours', 'hours[0]');
      await rejects(vk({ hours: [3, 3] }), 'Invalid hours', 'hours');
      await rejects(vk({ days: [] }), 'Invalid days', 'days');
      await rejects(vk({ days: [0] }), 'Invalid days', 'days[0]');
      await rejects(vk({ days: [8] }), 'Invalid days', 'days[0]');
      await rejects(vk({ days: [2, 2] }), 'Invalid days', 'days');
    });
    it('useLocalTime and shortUrl: booleans, defaults true / false on scheduled channels', async () => {
      const message = await accepts(sms({ useLocalTime: false, shortUrl: true }));
      assert.equal(message.useLocalTime, false);
      assert.equal(message.shortUrl, true);
      await rejects(sms({ useLocalTime: 'false' }), 'Invalid useLocalTime', 'useLocalTime');
      await rejects(sms({ shortUrl: 1 }), 'Invalid shortUrl', 'shortUrl');
    });
  });

  describe('callbackUrl and callbackEvents (§5.10)', () => {
    it('credentials and an IP literal with a port are accepted; the password is redacted on read (§8.3)', async () => {
      assert.equal((await accepts(voicecode({ callbackUrl: 'https://login:password@example.com/callback' }))).callbackUrl, 'https://login:***@example.com/callback');
      assert.equal((await accepts(voicecode({ callbackUrl: 'http://12.34.56.78:8080/callback' }))).callbackUrl, 'http://12.34.56.78:8080/callback');
    });
    it('a fragment is ignored', async () => {
      assert.equal((await accepts(vk({ callbackUrl: 'https://example.com/cb?x=1#frag' }))).callbackUrl, 'https://example.com/cb?x=1');
    });
    it('at most 2048 characters: 2048 accepted, 2049 rejected', async () => {
      const base = 'https://example.com/';
      assert.equal((await accepts(vk({ callbackUrl: base + 'a'.repeat(2048 - base.length) }))).callbackUrl.length, 2048);
      await rejects(vk({ callbackUrl: base + 'a'.repeat(2049 - base.length) }), 'Invalid callbackUrl', 'callbackUrl');
    });
    it('a user name without a password is shown as it is', async () => {
      assert.equal((await accepts(vk({ callbackUrl: 'https://login@example.com/cb' }))).callbackUrl, 'https://login@example.com/cb');
    });
    for (const bad of ['ftp://example.com/cb', '/relative/cb', 'example.com/cb', 'https://', `https://example.com/${'a'.repeat(2048)}`]) {
      it(`"${bad.slice(0, 40)}" → Invalid callbackUrl`, async () => {
        await rejects(vk({ callbackUrl: bad }), 'Invalid callbackUrl', 'callbackUrl');
      });
    }
    it('events: default ["delivered"] with a URL, [] means absent, duplicates removed, unknown rejected', async () => {
      assert.deepEqual((await accepts(vk({ callbackUrl: 'https://example.com/cb' }))).callbackEvents, ['delivered']);
      assert.deepEqual((await accepts(vk({ callbackUrl: 'https://example.com/cb', callbackEvents: [] }))).callbackEvents, ['delivered']);
      assert.deepEqual(
        (await accepts(vk({ callbackUrl: 'https://example.com/cb', callbackEvents: ['sent', 'sent', 'read', 'price', 'click', 'delivered'] }))).callbackEvents,
        ['sent', 'read', 'price', 'click', 'delivered'],
      );
      assert.deepEqual((await accepts(vk({ callbackEvents: ['sent'] }))).callbackEvents, ['sent'], 'stored without a URL');
      await rejects(vk({ callbackUrl: 'https://example.com/cb', callbackEvents: ['opened'] }), 'Invalid callbackEvents', 'callbackEvents[0]');
      await rejects(vk({ callbackEvents: 'sent' }), 'Invalid callbackEvents', 'callbackEvents');
    });
  });

  it('null in an optional field means absent (§2.1)', async () => {
    const message = await accepts(
      sms({ ttl: null, tags: null, externalMessageId: null, callbackUrl: null, callbackEvents: null, useLocalTime: null, localSendTime: null, hours: null, days: null, shortUrl: null }),
    );
    assert.equal(message.ttl, null);
    assert.deepEqual(message.tags, []);
    assert.equal(message.externalMessageId, null);
    assert.equal(message.callbackUrl, null);
    assert.equal(message.callbackEvents, null);
    assert.equal(message.useLocalTime, true);
    assert.equal(message.shortUrl, false);
  });

  it('null in a required field is a missing field', async () => {
    await rejects(sms({ content: null }), 'Invalid content', 'content');
  });
});

describe('business rejections (§5.6), per item, in request order', () => {
  const rejection = (code: number, msg: string) => ({ code, error: { code, msg } });

  it('4032 Channel not enabled: only the disabled channel is refused; the response shape is exact', async () => {
    const { auth, accountId } = await newAccount();
    await gateway.store.accounts.setChannelEnabled(accountId, 'VK', false);
    const response = await send(gateway, auth, [voicecode(), vk(), sms()]);
    assert.equal(response.status, 200);
    assert.equal(response.body.errors, true);
    assert.equal(response.body.items.length, 3);
    assert.equal(response.body.items[0].code, 201);
    assert.deepEqual(response.body.items[1], rejection(4032, 'Channel not enabled'));
    assert.ok(!('messageUuid' in response.body.items[1]));
    assert.equal(response.body.items[2].code, 201);
    assert.equal(await countMessages(gateway, auth), 2);
    await gateway.store.accounts.setChannelEnabled(accountId, 'VK', true);
    assert.equal((await send(gateway, auth, [vk()])).body.items[0].code, 201);
  });

  it('4032 comes before 4031 (a disabled WHATSAPP with an unapproved sender)', async () => {
    const { auth, accountId } = await newAccount();
    await gateway.store.accounts.setChannelEnabled(accountId, 'WHATSAPP', false);
    const response = await send(gateway, auth, [whatsapp({ senderName: 'unknown' })]);
    assert.deepEqual(response.body, { errors: true, items: [rejection(4032, 'Channel not enabled')] });
  });

  it('4031 Sender not approved: SMS and WHATSAPP need an approved sender for that channel', async () => {
    const { auth } = await newAccount();
    const response = await send(gateway, auth, [
      sms({ senderName: 'unknown' }),
      whatsapp({ senderName: SMS_SENDER }), // approved for SMS only
      sms({ senderName: WA_SENDER }), // approved for WHATSAPP only
      sms(),
      whatsapp(),
      vk({ senderName: 'anything' }),
      flashcall({ senderName: 'anything' }),
    ]);
    assert.equal(response.status, 200);
    assert.equal(response.body.errors, true);
    const codes = response.body.items.map((i: any) => i.code);
    assert.deepEqual(codes, [4031, 4031, 4031, 201, 201, 201, 201]);
    assert.deepEqual(response.body.items[0], rejection(4031, 'Sender not approved'));
  });

  it('4031 when the sender name is approved with a start date later than now; accepted once it has started', async () => {
    const { auth, accountId } = await newAccount();
    const now = gateway.clock.now();
    await gateway.store.senders.approve({ accountId, channel: 'SMS', name: 'later', trafficType: null, startsAt: now + 60_000 });
    await gateway.store.senders.approve({ accountId, channel: 'SMS', name: 'now', trafficType: null, startsAt: now });
    const response = await send(gateway, auth, [sms({ senderName: 'later' }), sms({ senderName: 'now' })]);
    assert.deepEqual(
      response.body.items.map((i: any) => i.code),
      [4031, 201],
    );
    const original = gateway.clock.now();
    gateway.clock.advance(60_000);
    try {
      assert.equal((await send(gateway, auth, [sms({ senderName: 'later' })])).body.items[0].code, 201);
    } finally {
      gateway.clock.set(original);
    }
  });

  it("4033 Destination blocked: the account's block list; the '+' form is blocked too; other accounts unaffected", async () => {
    const { auth, accountId } = await newAccount();
    const other = await newAccount();
    await gateway.store.blocklist.add(accountId, '79260000001');
    const response = await send(gateway, auth, [vk({ destination: '79260000001' }), vk({ destination: '+79260000001' }), vk({ destination: '79260000002' })]);
    assert.deepEqual(response.body.items.slice(0, 2), [rejection(4033, 'Destination blocked'), rejection(4033, 'Destination blocked')]);
    assert.equal(response.body.items[2].code, 201);
    assert.equal((await send(gateway, other.auth, [vk({ destination: '79260000001' })])).body.items[0].code, 201);
  });

  it("4033 on the gateway-wide block list (store.blocklist.add(null, …)) for every account", async () => {
    const a = await newAccount();
    const b = await newAccount();
    await gateway.store.blocklist.add(null, '79260000099');
    for (const { auth } of [a, b]) {
      const response = await send(gateway, auth, [voicecode({ destination: '79260000099' }), flashcall({ destination: '+79260000099' })]);
      assert.deepEqual(response.body, { errors: true, items: [rejection(4033, 'Destination blocked'), rejection(4033, 'Destination blocked')] });
    }
  });

  it('4031 comes before 4033, and 4033 before 4020', async () => {
    const { auth, accountId } = await newAccount({ balance: 0 });
    await gateway.store.blocklist.add(accountId, '79260000003');
    const response = await send(gateway, auth, [sms({ senderName: 'unknown', destination: '79260000003' }), vk({ destination: '79260000003' }), vk()]);
    assert.deepEqual(response.body.items, [
      rejection(4031, 'Sender not approved'),
      rejection(4033, 'Destination blocked'),
      rejection(4020, 'Insufficient funds'),
    ]);
  });

  it('4020 Insufficient funds once earlier items of the same request consumed the balance; a cheaper later item still fits', async () => {
    const prices = gateway.config.prices;
    // Exactly two VOICECODE prices plus one VK price.
    const units = 2 * prices.VOICECODE + prices.VK;
    const { auth, accountId } = await newAccount({ balance: 0 });
    await gateway.store.accounts.topUp(accountId, units);
    const response = await send(gateway, auth, [voicecode(), voicecode(), voicecode(), vk(), vk()]);
    assert.equal(response.status, 200);
    assert.equal(response.body.errors, true);
    assert.deepEqual(
      response.body.items.map((i: any) => i.code),
      [201, 201, 4020, 201, 4020],
    );
    assert.deepEqual(response.body.items[2], rejection(4020, 'Insufficient funds'));
    assert.equal(await countMessages(gateway, auth), 3);
    assert.deepEqual(await balance(gateway, auth), { RUB: 0 });
  });

  it('every item rejected is still HTTP 200 with errors true', async () => {
    const { auth } = await newAccount({ balance: 0 });
    const response = await send(gateway, auth, [voicecode(), flashcall()]);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { errors: true, items: [rejection(4020, 'Insufficient funds'), rejection(4020, 'Insufficient funds')] });
  });

  it('an account with billing disabled never gets 4020', async () => {
    const { auth } = await newAccount({ balance: 0, billing: false });
    const items = Array.from({ length: 50 }, () => voicecode());
    const response = await send(gateway, auth, items);
    assert.equal(response.body.errors, false);
    assert.equal(await countMessages(gateway, auth), 50);
  });

  it('a rejected item creates nothing and costs nothing', async () => {
    const { auth, accountId } = await newAccount();
    await gateway.store.accounts.setChannelEnabled(accountId, 'FLASHCALL', false);
    await gateway.store.blocklist.add(accountId, '79260000004');
    const before = await balance(gateway, auth);
    const response = await send(gateway, auth, [flashcall(), sms({ senderName: 'nope' }), vk({ destination: '79260000004' })]);
    assert.deepEqual(
      response.body.items.map((i: any) => i.code),
      [4032, 4031, 4033],
    );
    assert.equal(await countMessages(gateway, auth), 0);
    assert.deepEqual(await balance(gateway, auth), before);
  });
});
