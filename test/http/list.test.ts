/** GET /api/v1/message and GET /api/v1/message/{uuid} over real HTTP (spec §2.5, §8.1, §8.2). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway, type TestGateway } from '../support/gateway.js';
import {
  APPROVED_SENDERS,
  JSON_CONTENT_TYPE,
  MESSAGE_FIELDS,
  flashcall,
  getMessage,
  isoSeconds,
  list,
  listUuids,
  sendOk,
  sms,
  stop,
  uniqueName,
  vk,
  voicecode,
  whatsapp,
} from '../support/http.js';

type Query = [string, string][];

let gateway: TestGateway;
let auth: string;
/** Start of the fixture; message i was created at t0 + i seconds (m8 and m9 share t0 + 7 s). */
let t0: number;
/** The fixture, by name. */
const m: Record<string, string> = {};
/** uuid → created epoch ms. */
const created = new Map<string, number>();

before(async () => {
  gateway = await startGateway();
  const account = await gateway.account(uniqueName('list'), { senders: APPROVED_SENDERS });
  auth = account.auth;
  await gateway.store.senders.approve({ accountId: account.accountId, channel: 'SMS', name: 'promo', trafficType: 'PROMO', startsAt: 0 });
  t0 = gateway.clock.now();
  const fixture: [string, Record<string, unknown>][] = [
    ['m1', voicecode({ destination: '14085553911', tags: ['alpha', 'beta'] })],
    ['m2', flashcall({ senderName: 'flash', destination: '14085553912', tags: ['beta'] })],
    ['m3', sms({ destination: '79261234567', content: 'Привет, Мир! Hello World', tags: ['gamma'] })],
    ['m4', sms({ senderName: 'promo', destination: '79261234568', content: 'Big SALE today' })],
    [
      'm5',
      whatsapp({ destination: '79261234569', content: { contentType: 'template', templateId: 'hello_template', language: 'en', parameters: ['Hello'] } }),
    ],
    ['m6', whatsapp({ destination: '79261234567', content: { contentType: 'text', text: 'hello from whatsapp' } })],
    ['m7', vk({ destination: '442071838750', content: 'ПРИВЕТ vk' })],
  ];
  for (const [name, item] of fixture) {
    const [uuid] = await sendOk(gateway, auth, [item]);
    m[name] = uuid!;
    created.set(uuid!, gateway.clock.now());
    gateway.clock.advance(1000);
  }
  const [u8, u9] = await sendOk(gateway, auth, [vk({ destination: '79261234570', content: 'tie one' }), vk({ destination: '79261234570', content: 'tie two' })]);
  m.m8 = u8!;
  m.m9 = u9!;
  created.set(u8!, gateway.clock.now());
  created.set(u9!, gateway.clock.now());
  gateway.clock.advance(60_000);
});
after(() => gateway.close());

const names = (...keys: string[]): string[] => keys.map((k) => m[k]!);
const all = (): string[] => Object.values(m);
const at = (seconds: number): string => isoSeconds(t0 + seconds * 1000);

/** Expected order of a result: by created time then uuid, newest first unless `ascending`. */
function ordered(uuids: string[], ascending = false): string[] {
  const sorted = [...uuids].sort((x, y) => created.get(x)! - created.get(y)! || (x < y ? -1 : x > y ? 1 : 0));
  return ascending ? sorted : sorted.reverse();
}

/** The filter returns exactly these messages, in the default order, with X-Total-Count to match. */
async function expectExactly(query: Query, expected: string[]): Promise<void> {
  const response = await list(gateway, auth, query);
  assert.equal(response.status, 200, `${JSON.stringify(query)}: ${response.text}`);
  const got = (response.body as { messageUuid: string }[]).map((x) => x.messageUuid);
  const label = (u: string) => Object.entries(m).find(([, v]) => v === u)?.[0] ?? u;
  assert.deepEqual(got.map(label), ordered(expected).map(label), JSON.stringify(query));
  assert.equal(response.headers.get('x-total-count'), String(expected.length), JSON.stringify(query));
}

async function expectInvalid(query: Query | string, msg: string): Promise<void> {
  const response = await list(gateway, auth, query);
  assert.equal(response.status, 422, `${JSON.stringify(query)}: ${response.text}`);
  assert.deepEqual(response.body, { error: { code: 4220, msg } }, JSON.stringify(query));
}

describe('the response (§8.1)', () => {
  it('is a JSON array of full message objects with X-Total-Count', async () => {
    const response = await list(gateway, auth);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
    assert.ok(Array.isArray(response.body));
    assert.equal(response.headers.get('x-total-count'), '9');
    for (const message of response.body) assert.deepEqual(Object.keys(message).sort(), [...MESSAGE_FIELDS].sort());
  });

  it('default sort is -created_time, ties broken by messageUuid', async () => {
    await expectExactly([], all());
    const uuids = await listUuids(gateway, auth);
    assert.deepEqual(uuids, ordered(all()));
    assert.equal(uuids[0], m.m8! > m.m9! ? m.m8 : m.m9, 'the tie at t0+7s: the greater uuid first');
  });

  it('sort=-created_time is the default; sort=created_time is oldest first with ascending uuid tie-break', async () => {
    assert.deepEqual(await listUuids(gateway, auth, [['sort', '-created_time']]), ordered(all()));
    const ascending = await listUuids(gateway, auth, [['sort', 'created_time']]);
    assert.deepEqual(ascending, ordered(all(), true));
    assert.equal(ascending[0], m.m1);
  });

  it('an invalid sort → 422 Invalid sort', async () => {
    await expectInvalid([['sort', 'created']], 'Invalid sort');
    await expectInvalid([['sort', '+created_time']], 'Invalid sort');
  });

  it('unknown parameters are ignored', async () => {
    await expectExactly([['foo', 'bar'], ['statusx', 'nope'], ['Status', 'sent']], all());
  });

  it('an empty result is [] with X-Total-Count 0', async () => {
    const response = await list(gateway, auth, [['status', 'delivered']]);
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, []);
    assert.equal(response.headers.get('x-total-count'), '0');
  });
});

describe('filters (§8.1, §2.5: repeated keys OR-ed, different keys AND-ed)', () => {
  it('message_uuid, repeated; matched case-insensitively', async () => {
    await expectExactly([['message_uuid', m.m3!]], names('m3'));
    await expectExactly(
      [
        ['message_uuid', m.m3!],
        ['message_uuid', m.m7!.toUpperCase()],
      ],
      names('m3', 'm7'),
    );
    await expectExactly([['message_uuid', '01900000-0000-7000-8000-000000000000']], []);
  });

  it("destination, repeated, with or without '+'", async () => {
    await expectExactly([['destination', '79261234567']], names('m3', 'm6'));
    await expectExactly([['destination', '+79261234567']], names('m3', 'm6'));
    await expectExactly(
      [
        ['destination', '+14085553911'],
        ['destination', '442071838750'],
      ],
      names('m1', 'm7'),
    );
    await expectExactly([['destination', '79000000000']], []);
  });

  it('destination in another format → 422 Invalid destination', async () => {
    await expectInvalid([['destination', '12345']], 'Invalid destination');
    await expectInvalid([['destination', '8 926 123 45 67']], 'Invalid destination');
  });

  it('status, repeated; invalid → Invalid status', async () => {
    await expectExactly([['status', 'sending']], all());
    await expectExactly([['status', 'sent']], []);
    await expectExactly(
      [
        ['status', 'delivered'],
        ['status', 'sending'],
      ],
      all(),
    );
    for (const status of ['unsent', 'undelivered', 'read', 'unread']) await expectExactly([['status', status]], []);
    await expectInvalid([['status', 'SENDING']], 'Invalid status');
    await expectInvalid([['status', 'sending'], ['status', 'queued']], 'Invalid status');
  });

  it('channel_type, repeated; VIBER matches nothing; invalid → Invalid channel_type', async () => {
    await expectExactly([['channel_type', 'VOICECODE']], names('m1'));
    await expectExactly(
      [
        ['channel_type', 'SMS'],
        ['channel_type', 'VK'],
      ],
      names('m3', 'm4', 'm7', 'm8', 'm9'),
    );
    await expectExactly([['channel_type', 'WHATSAPP']], names('m5', 'm6'));
    await expectExactly([['channel_type', 'FLASHCALL']], names('m2'));
    await expectExactly([['channel_type', 'VIBER']], []);
    await expectExactly(
      [
        ['channel_type', 'VIBER'],
        ['channel_type', 'FLASHCALL'],
      ],
      names('m2'),
    );
    await expectInvalid([['channel_type', 'EMAIL']], 'Invalid channel_type');
    await expectInvalid([['channel_type', 'sms']], 'Invalid channel_type');
  });

  it('sender_name: exact match, repeated', async () => {
    await expectExactly([['sender_name', 'promo']], names('m4'));
    await expectExactly([['sender_name', 'PROMO']], []);
    await expectExactly([['sender_name', 'prom']], []);
    await expectExactly(
      [
        ['sender_name', 'flash'],
        ['sender_name', 'voicecode'],
      ],
      names('m1', 'm2'),
    );
  });

  it('tags: a message matches when it has any of the values', async () => {
    await expectExactly([['tags', 'beta']], names('m1', 'm2'));
    await expectExactly(
      [
        ['tags', 'alpha'],
        ['tags', 'gamma'],
      ],
      names('m1', 'm3'),
    );
    await expectExactly([['tags', 'Beta']], []);
    await expectExactly([['tags', 'delta']], []);
  });

  it('different keys are AND-ed', async () => {
    await expectExactly(
      [
        ['channel_type', 'SMS'],
        ['tags', 'gamma'],
      ],
      names('m3'),
    );
    await expectExactly(
      [
        ['channel_type', 'VOICECODE'],
        ['tags', 'gamma'],
      ],
      [],
    );
    await expectExactly(
      [
        ['destination', '79261234567'],
        ['channel_type', 'WHATSAPP'],
        ['channel_type', 'VK'],
      ],
      names('m6'),
    );
  });

  it('traffic_type, repeated; invalid → Invalid traffic_type', async () => {
    await expectExactly([['traffic_type', 'AUTHORIZE']], names('m1', 'm2'));
    await expectExactly([['traffic_type', 'PROMO']], names('m4'));
    await expectExactly([['traffic_type', 'SERVICE']], names('m3', 'm5', 'm6', 'm7', 'm8', 'm9'));
    await expectExactly(
      [
        ['traffic_type', 'PROMO'],
        ['traffic_type', 'AUTHORIZE'],
      ],
      names('m1', 'm2', 'm4'),
    );
    await expectExactly([['traffic_type', 'TRANSACT']], []);
    await expectInvalid([['traffic_type', 'OTP']], 'Invalid traffic_type');
  });

  it('sending_method: API matches all, UI and SMPP none; invalid → Invalid sending_method', async () => {
    await expectExactly([['sending_method', 'API']], all());
    await expectExactly([['sending_method', 'UI']], []);
    await expectExactly(
      [
        ['sending_method', 'UI'],
        ['sending_method', 'API'],
      ],
      all(),
    );
    await expectExactly([['sending_method', 'SMPP']], []);
    await expectInvalid([['sending_method', 'FAX']], 'Invalid sending_method');
  });

  it('traffic_center_id: 1 (the key default) matches all; invalid → Invalid traffic_center_id', async () => {
    await expectExactly([['traffic_center_id', '1']], all());
    await expectExactly([['traffic_center_id', '2']], []);
    await expectExactly(
      [
        ['traffic_center_id', '2'],
        ['traffic_center_id', '1'],
      ],
      all(),
    );
    await expectInvalid([['traffic_center_id', 'one']], 'Invalid traffic_center_id');
  });

  it('country_code, repeated (ISO 3166-1 alpha-2 of the destination)', async () => {
    await expectExactly([['country_code', 'US']], names('m1', 'm2'));
    await expectExactly([['country_code', 'GB']], names('m7'));
    await expectExactly(
      [
        ['country_code', 'RU'],
        ['country_code', 'GB'],
      ],
      names('m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9'),
    );
    await expectExactly([['country_code', 'DE']], []);
  });

  it('direction defaults to outbound; inbound matches nothing yet; invalid → Invalid direction', async () => {
    await expectExactly([['direction', 'outbound']], all());
    await expectExactly([['direction', 'inbound']], []);
    await expectExactly(
      [
        ['direction', 'inbound'],
        ['direction', 'outbound'],
      ],
      all(),
    );
    await expectInvalid([['direction', 'both']], 'Invalid direction');
  });

  it('v1 filters that match nothing: template_id, dispatch_id, cascade_message_uuid, root=false, dispatch=true', async () => {
    await expectExactly([['template_id', '1']], []);
    await expectExactly([['template_id', 'hello_template']], []);
    await expectExactly([['dispatch_id', '1']], []);
    await expectExactly([['cascade_message_uuid', m.m1!]], []);
    await expectExactly([['root', 'false']], []);
    await expectExactly([['dispatch', 'true']], []);
  });

  it('root=true and dispatch=false match everything', async () => {
    await expectExactly([['root', 'true']], all());
    await expectExactly([['dispatch', 'false']], all());
  });

  it('malformed booleans → Invalid <name>', async () => {
    await expectInvalid([['dispatch', 'yes']], 'Invalid dispatch');
    await expectInvalid([['root', '0']], 'Invalid root');
    await expectInvalid([['ready_to_stop', 'TRUE']], 'Invalid ready_to_stop');
  });
});

describe('content and content_nor (§8.1)', () => {
  it('content: a case-insensitive substring of the text, Cyrillic included', async () => {
    await expectExactly([['content', 'hello']], names('m3', 'm6'));
    await expectExactly([['content', 'HELLO']], names('m3', 'm6'));
    await expectExactly([['content', 'привет']], names('m3', 'm7'));
    await expectExactly([['content', 'МИР']], names('m3'));
    await expectExactly([['content', 'sale']], names('m4'));
    await expectExactly([['content', 'REVICOM']], names('m1'), );
    await expectExactly([['content', 'nowhere']], []);
  });

  it('a template message never matches content, even on its template id or parameters', async () => {
    await expectExactly([['content', 'hello_template']], []);
    await expectExactly([['content', 'Hello']], names('m3', 'm6'));
  });

  it('content_nor: the text does not contain the value; a template message always passes', async () => {
    await expectExactly([['content_nor', 'HeLLo']], names('m1', 'm2', 'm4', 'm5', 'm7', 'm8', 'm9'));
    await expectExactly([['content_nor', 'привет']], names('m1', 'm2', 'm4', 'm5', 'm6', 'm8', 'm9'));
    await expectExactly([['content_nor', 'hello_template']], all());
  });

  it('content and content_nor together', async () => {
    await expectExactly(
      [
        ['content', 'hello'],
        ['content_nor', 'world'],
      ],
      names('m6'),
    );
    await expectExactly(
      [
        ['content', 'tie'],
        ['content_nor', 'two'],
      ],
      names('m8'),
    );
  });
});

describe('time_from / time_to (§8.1, §2.2)', () => {
  it('time_from is inclusive and time_to exclusive; the message time of a sending message is its createdTime', async () => {
    await expectExactly([['time_from', at(2)]], names('m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9'));
    await expectExactly([['time_to', at(2)]], names('m1', 'm2'));
    await expectExactly(
      [
        ['time_from', at(2)],
        ['time_to', at(3)],
      ],
      names('m3'),
    );
    await expectExactly([['time_from', at(7)]], names('m8', 'm9'));
    await expectExactly([['time_from', at(8)]], []);
  });

  it('time_from not earlier than time_to gives an empty result', async () => {
    await expectExactly(
      [
        ['time_from', at(3)],
        ['time_to', at(3)],
      ],
      [],
    );
    await expectExactly(
      [
        ['time_from', at(5)],
        ['time_to', at(1)],
      ],
      [],
    );
  });

  it('RFC 3339 offsets and fractional seconds are accepted', async () => {
    const plus3 = new Date(t0 + 3 * 3_600_000 + 2000).toISOString().slice(0, 19) + '+03:00';
    await expectExactly(
      [
        ['time_from', plus3],
        ['time_to', at(3)],
      ],
      names('m3'),
    );
    const minus = new Date(t0 - 5 * 3_600_000 - 30 * 60_000 + 3000).toISOString().slice(0, 19) + '-05:30';
    await expectExactly([['time_to', minus]], names('m1', 'm2', 'm3'));
    await expectExactly([['time_from', at(1).replace('Z', '.5Z')]], names('m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9'));
    await expectExactly([['time_to', at(1).replace('Z', '.001Z')]], names('m1', 'm2'));
    await expectExactly([['time_from', new Date(t0 + 3 * 3_600_000 + 1500).toISOString().slice(0, 23) + '+03:00']], names('m3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9'));
  });

  it('a fraction finer than a millisecond is not rounded away (time_to exclusive, time_from inclusive)', async () => {
    // m2 was created at exactly t0 + 1 s, earlier than t0 + 1 s + 1 ns; m1 (at t0) is earlier than t0 + 100 ns.
    await expectExactly([['time_to', at(1).replace('Z', '.000000001Z')]], names('m1', 'm2'));
    await expectExactly([['time_from', at(0).replace('Z', '.0000001Z')]], names('m2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9'));
  });

  it('a malformed timestamp → Invalid time_from / Invalid time_to', async () => {
    for (const bad of ['2026-05-01', '2026-05-01 10:00:00', '2026-05-01T10:00:00', '2026-02-30T00:00:00Z', 'yesterday', '1714557609']) {
      await expectInvalid([['time_from', bad]], 'Invalid time_from');
      await expectInvalid([['time_to', bad]], 'Invalid time_to');
    }
  });

  it('a stopped message is timed by the moment it became unsent (§8.1)', async () => {
    const own = await gateway.account(uniqueName('list-stop'));
    const sentAt = gateway.clock.now();
    const [uuid, kept] = await sendOk(gateway, own.auth, [vk(), vk()]);
    gateway.clock.advance(3_600_000);
    const stoppedAt = gateway.clock.now();
    assert.equal((await stop(gateway, own.auth, { uuids: [uuid] })).body.items[0].code, 200);
    gateway.clock.advance(1000);
    const query = async (q: Query) => listUuids(gateway, own.auth, q);
    assert.deepEqual(await query([['time_from', isoSeconds(stoppedAt)]]), [uuid]);
    assert.deepEqual(await query([['time_to', isoSeconds(stoppedAt)]]), [kept]);
    assert.deepEqual(
      await query([
        ['time_from', isoSeconds(sentAt)],
        ['time_to', isoSeconds(sentAt + 1000)],
      ]),
      [kept],
    );
    // Sorting stays by createdTime.
    const both = await list(gateway, own.auth, [['sort', 'created_time']]);
    assert.deepEqual(
      both.body.map((x: any) => x.createdTime),
      [isoSeconds(sentAt), isoSeconds(sentAt)],
    );
  });
});

describe('ready_to_stop (§8.1, §9)', () => {
  it('true: sending and already-unsent messages (a stop would answer 200); false: the others', async () => {
    await expectExactly([['ready_to_stop', 'true']], all());
    await expectExactly([['ready_to_stop', 'false']], []);
    const own = await gateway.account(uniqueName('list-ready'));
    const [stopped, sending] = await sendOk(gateway, own.auth, [vk(), vk()]);
    await stop(gateway, own.auth, { uuids: [stopped] });
    assert.deepEqual(new Set(await listUuids(gateway, own.auth, [['ready_to_stop', 'true']])), new Set([stopped, sending]));
    assert.deepEqual(await listUuids(gateway, own.auth, [['ready_to_stop', 'false']]), []);
    assert.deepEqual(await listUuids(gateway, own.auth, [['status', 'unsent']]), [stopped]);
  });
});

describe('paging (§8.1)', () => {
  it('pages of per_page concatenate to the whole result; X-Total-Count is the whole count on every page', async () => {
    const pages: string[] = [];
    for (const page of ['1', '2', '3']) {
      const response = await list(gateway, auth, [
        ['per_page', '4'],
        ['page', page],
      ]);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('x-total-count'), '9');
      pages.push(...response.body.map((x: any) => x.messageUuid));
    }
    assert.deepEqual(pages, ordered(all()));
    const beyond = await list(gateway, auth, [
      ['per_page', '4'],
      ['page', '4'],
    ]);
    assert.deepEqual(beyond.body, []);
    assert.equal(beyond.headers.get('x-total-count'), '9');
  });

  it('page × per_page ≤ 10000: 100 × 100 and 1 × 10000 and 10000 × 1 are fine, 101 × 100 → Invalid per_page', async () => {
    for (const [page, perPage] of [
      ['100', '100'],
      ['1', '10000'],
      ['10000', '1'],
      ['50', '200'],
    ]) {
      const response = await list(gateway, auth, [
        ['page', page!],
        ['per_page', perPage!],
      ]);
      assert.equal(response.status, 200, `${page}×${perPage}: ${response.text}`);
      assert.equal(response.headers.get('x-total-count'), '9');
    }
    await expectInvalid(
      [
        ['page', '101'],
        ['per_page', '100'],
      ],
      'Invalid per_page',
    );
    await expectInvalid([['per_page', '10001']], 'Invalid per_page');
    await expectInvalid([['page', '101']], 'Invalid per_page');
    await expectInvalid(
      [
        ['page', '10001'],
        ['per_page', '1'],
      ],
      'Invalid per_page',
    );
  });

  it('page or per_page that is not a positive integer → Invalid page / Invalid per_page', async () => {
    for (const bad of ['0', 'abc', '-1', '1.5', '', '1e2', ' 1']) {
      await expectInvalid([['page', bad]], 'Invalid page');
      await expectInvalid([['per_page', bad]], 'Invalid per_page');
    }
  });

  it('the default per_page is 100, and X-Total-Count goes beyond the page', async () => {
    const big = await gateway.account(uniqueName('list-big'), { billing: false });
    await sendOk(gateway, big.auth, Array.from({ length: 101 }, (_, i) => vk({ destination: String(79000000000 + i) })));
    const first = await list(gateway, big.auth);
    assert.equal(first.body.length, 100);
    assert.equal(first.headers.get('x-total-count'), '101');
    const second = await list(gateway, big.auth, [['page', '2']]);
    assert.equal(second.body.length, 1);
    assert.equal(second.headers.get('x-total-count'), '101');
    const filtered = await list(gateway, big.auth, [
      ['per_page', '10'],
      ['destination', '79000000005'],
      ['destination', '79000000006'],
    ]);
    assert.equal(filtered.body.length, 2);
    assert.equal(filtered.headers.get('x-total-count'), '2');
  });
});

describe('GET /api/v1/message/{uuid} (§8.2)', () => {
  it('200 with the same object the list returns', async () => {
    const listed = (await list(gateway, auth, [['message_uuid', m.m3!]])).body[0];
    const one = await getMessage(gateway, auth, m.m3!);
    assert.equal(one.status, 200);
    assert.equal(one.headers.get('content-type'), JSON_CONTENT_TYPE);
    assert.deepEqual(one.body, listed);
    assert.equal(one.body.createdTime, isoSeconds(created.get(m.m3!)!));
  });

  it('an uppercase uuid matches (the object carries the lowercase one)', async () => {
    const one = await getMessage(gateway, auth, m.m4!.toUpperCase());
    assert.equal(one.status, 200);
    assert.equal(one.body.messageUuid, m.m4);
  });

  for (const bad of ['not-a-uuid', '12345', `${'0'.repeat(32)}`, '01900000-0000-7000-8000-00000000000g', '01900000-0000-7000-8000-000000000000']) {
    it(`"${bad}" → 404 Not found`, async () => {
      const response = await getMessage(gateway, auth, bad);
      assert.equal(response.status, 404);
      assert.deepEqual(response.body, { error: { code: 4040, msg: 'Not found' } });
      assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
    });
  }
});
