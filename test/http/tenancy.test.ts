/** Tenant isolation (issue 2 §4): an account never sees, stops, counts or converts another account's messages. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { call, startGateway, type TestGateway } from '../support/gateway.js';
import {
  APPROVED_SENDERS,
  balance,
  countMessages,
  flashcall,
  getMessage,
  list,
  listUuids,
  sendOk,
  sms,
  stop,
  uniqueName,
  vk,
  voicecode,
} from '../support/http.js';

const NOT_FOUND = { error: { code: 4040, msg: 'Not found' } };

let gateway: TestGateway;
let a: { auth: string; accountId: number };
let b: { auth: string; accountId: number };
let aUuids: string[];
let bUuids: string[];
/** B's FLASHCALL message. */
let bFlashcall: string;

before(async () => {
  gateway = await startGateway();
  a = await gateway.account(uniqueName('tenant-a'), { senders: APPROVED_SENDERS });
  b = await gateway.account(uniqueName('tenant-b'), { senders: APPROVED_SENDERS });
  // Same destinations, channels, senders and tags on both sides: only the account separates them.
  const items = [voicecode({ tags: ['shared'] }), flashcall({ tags: ['shared'] }), sms({ tags: ['shared'] })];
  aUuids = await sendOk(gateway, a.auth, items);
  bUuids = await sendOk(gateway, b.auth, [...items, vk({ tags: ['shared'] })]);
  bFlashcall = bUuids[1]!;
});
after(() => gateway.close());

describe('list and count', () => {
  it("A's list holds only A's messages, and X-Total-Count counts only them", async () => {
    const response = await list(gateway, a.auth);
    assert.equal(response.status, 200);
    assert.deepEqual(new Set(response.body.map((m: any) => m.messageUuid)), new Set(aUuids));
    assert.equal(response.headers.get('x-total-count'), String(aUuids.length));
    assert.equal(await countMessages(gateway, b.auth), bUuids.length);
  });

  it("filtering A's list by B's uuids, destination, tags or channel finds none of B's", async () => {
    const queries: [string, string][][] = [
      bUuids.map((u) => ['message_uuid', u] as [string, string]),
      [['message_uuid', bUuids[3]!]],
      [['destination', '14085553911']],
      [['tags', 'shared']],
      [['channel_type', 'VK']],
      [['sender_name', 'any sender']],
      [['ready_to_stop', 'true']],
    ];
    for (const query of queries) {
      const uuids = await listUuids(gateway, a.auth, query);
      for (const uuid of uuids) assert.ok(aUuids.includes(uuid), `${JSON.stringify(query)} leaked ${uuid}`);
    }
    const onlyB = await list(gateway, a.auth, [['message_uuid', bUuids[3]!]]);
    assert.deepEqual(onlyB.body, []);
    assert.equal(onlyB.headers.get('x-total-count'), '0');
  });
});

describe('get', () => {
  it("A gets 404 for each of B's messages, B gets 200", async () => {
    for (const uuid of bUuids) {
      const response = await getMessage(gateway, a.auth, uuid);
      assert.equal(response.status, 404);
      assert.deepEqual(response.body, NOT_FOUND);
      assert.equal((await getMessage(gateway, a.auth, uuid.toUpperCase())).status, 404);
      assert.equal((await getMessage(gateway, b.auth, uuid)).status, 200);
    }
  });
});

describe('stop', () => {
  it("A's stop of B's messages answers 404 per item (errors true) and leaves them sending and reserved", async () => {
    const before = await balance(gateway, b.auth);
    const response = await stop(gateway, a.auth, { uuids: [bUuids[0], aUuids[0], bUuids[2]!.toUpperCase()] });
    assert.equal(response.status, 200);
    assert.equal(response.body.errors, true);
    assert.deepEqual(
      response.body.items.map((i: any) => i.code),
      [404, 200, 404],
    );
    for (const uuid of [bUuids[0]!, bUuids[2]!]) {
      assert.equal((await getMessage(gateway, b.auth, uuid)).body.status, 'sending');
    }
    assert.deepEqual(await balance(gateway, b.auth), before, "B's balance is not refunded by A's stop");
  });
});

describe('flashcall-conversion', () => {
  it("A's conversion of B's FLASHCALL message → 404; B's own → 200", async () => {
    for (const scheme of ['Basic', 'Bearer']) {
      const response = await call(gateway, 'POST', '/api/v1/flashcall-conversion', {
        auth: `${scheme} ${a.auth.slice('Basic '.length)}`,
        body: { messageUuid: bFlashcall, result: 'NUMBER_VERIFIED', code: '1234' },
      });
      assert.equal(response.status, 404, `${scheme}: ${response.text}`);
      assert.deepEqual(response.body, NOT_FOUND);
    }
    const own = await call(gateway, 'POST', '/api/v1/flashcall-conversion', {
      auth: b.auth,
      body: { messageUuid: bFlashcall, result: 'NUMBER_VERIFIED', code: '1234' },
    });
    assert.equal(own.status, 200);
  });
});

describe('balance and account state', () => {
  it('balances are independent: what A spends and refunds does not move B', async () => {
    const aBefore = await balance(gateway, a.auth);
    const bBefore = await balance(gateway, b.auth);
    const [uuid] = await sendOk(gateway, a.auth, [voicecode()]);
    assert.notDeepEqual(await balance(gateway, a.auth), aBefore);
    assert.deepEqual(await balance(gateway, b.auth), bBefore);
    await stop(gateway, a.auth, { uuids: [uuid] });
    assert.deepEqual(await balance(gateway, a.auth), aBefore);
    assert.deepEqual(await balance(gateway, b.auth), bBefore);
  });

  it("A's block list, disabled channels and senders do not apply to B", async () => {
    const c = await gateway.account(uniqueName('tenant-c'), { senders: APPROVED_SENDERS });
    const d = await gateway.account(uniqueName('tenant-d'));
    await gateway.store.blocklist.add(c.accountId, '79261110000');
    await gateway.store.accounts.setChannelEnabled(c.accountId, 'VK', false);
    const cResponse = await call(gateway, 'POST', '/api/v1/message', { auth: c.auth, body: [voicecode({ destination: '79261110000' }), vk()] });
    assert.deepEqual(
      cResponse.body.items.map((i: any) => i.code),
      [4033, 4032],
    );
    const dResponse = await call(gateway, 'POST', '/api/v1/message', { auth: d.auth, body: [voicecode({ destination: '79261110000' }), vk(), sms()] });
    assert.deepEqual(
      dResponse.body.items.map((i: any) => i.code),
      [201, 201, 4031],
      "D has no SMS sender of its own: C's approval does not carry over",
    );
  });
});
