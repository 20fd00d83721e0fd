/** GET /api/v1/balance and money (spec §10, §2.6, §5.6, §6.3 parts, §9 refunds). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { call, startGateway, type TestGateway } from '../support/gateway.js';
import {
  APPROVED_SENDERS,
  JSON_CONTENT_TYPE,
  flashcall,
  getMessage,
  send,
  sendOk,
  sms,
  stop,
  uniqueName,
  vk,
  voicecode,
  whatsapp,
} from '../support/http.js';

/** Units (1/10000) → the decimal text a JSON number must print as, computed without floats. */
function decimal(units: number): string {
  const sign = units < 0 ? '-' : '';
  const abs = Math.abs(units);
  const whole = Math.floor(abs / 10_000);
  const fraction = String(abs % 10_000).padStart(4, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

async function balanceText(gateway: TestGateway, auth: string): Promise<string> {
  const response = await call(gateway, 'GET', '/api/v1/balance', { auth });
  assert.equal(response.status, 200, response.text);
  assert.equal(response.headers.get('content-type'), JSON_CONTENT_TYPE);
  return response.text;
}

/** An account with `units` of balance exactly (no float multiplication on the way in). */
async function accountWithUnits(gateway: TestGateway, units: number, options: Parameters<TestGateway['account']>[1] = {}) {
  const account = await gateway.account(uniqueName('money'), { senders: APPROVED_SENDERS, ...options, balance: 0 });
  if (units !== 0) await gateway.store.accounts.topUp(account.accountId, units);
  return account;
}

describe('with the default price table', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startGateway();
  });
  after(() => gateway.close());

  it('a new account with 1000 RUB reads {"RUB": 1000}', async () => {
    const { auth } = await gateway.account(uniqueName('fresh'));
    const text = await balanceText(gateway, auth);
    assert.equal(text, '{"RUB":1000}');
  });

  it('each accepted item reserves the configured price of its channel', async () => {
    const prices = gateway.config.prices;
    const start = 1000 * 10_000;
    const { auth } = await accountWithUnits(gateway, start);
    let expected = start;
    const cases: [string, Record<string, unknown>, number][] = [
      ['VOICECODE', voicecode(), prices.VOICECODE],
      ['FLASHCALL', flashcall(), prices.FLASHCALL],
      ['SMS', sms(), prices.SMS],
      ['WHATSAPP', whatsapp(), prices.WHATSAPP],
      ['VK', vk(), prices.VK],
    ];
    for (const [channel, item, price] of cases) {
      await sendOk(gateway, auth, [item]);
      expected -= price;
      assert.equal(await balanceText(gateway, auth), `{"RUB":${decimal(expected)}}`, channel);
    }
    await sendOk(gateway, auth, cases.map(([, item]) => item));
    expected -= cases.reduce((sum, [, , price]) => sum + price, 0);
    assert.equal(await balanceText(gateway, auth), `{"RUB":${decimal(expected)}}`, 'a whole batch');
  });

  describe('SMS is charged per part (§6.3)', () => {
    const cases: [string, string, number][] = [
      ['160 GSM-7 characters', 'a'.repeat(160), 1],
      ['161 GSM-7 characters', 'a'.repeat(161), 2],
      ['306 GSM-7 characters', 'a'.repeat(306), 2],
      ['307 GSM-7 characters', 'a'.repeat(307), 3],
      ['80 extension characters (160 septets)', '€'.repeat(80), 1],
      ['81 extension characters (162 septets)', '€'.repeat(81), 2],
      ['70 Cyrillic characters', 'ж'.repeat(70), 1],
      ['71 Cyrillic characters', 'ж'.repeat(71), 2],
      ['134 Cyrillic characters', 'ж'.repeat(134), 2],
      ['135 Cyrillic characters', 'ж'.repeat(135), 3],
      ['35 emoji (70 UTF-16 units)', '😀'.repeat(35), 1],
      ['36 emoji (72 UTF-16 units)', '😀'.repeat(36), 2],
      ['160 GSM-7 characters and one Cyrillic', 'a'.repeat(160) + 'ж', 3],
    ];
    for (const [name, text, parts] of cases) {
      it(`${name}: ${parts} part(s), totalParts ${parts}, price × ${parts}`, async () => {
        const start = 100 * 10_000;
        const { auth } = await accountWithUnits(gateway, start);
        const [uuid] = await sendOk(gateway, auth, [sms({ content: text })]);
        assert.equal((await getMessage(gateway, auth, uuid!)).body.totalParts, parts);
        assert.equal(await balanceText(gateway, auth), `{"RUB":${decimal(start - parts * gateway.config.prices.SMS)}}`);
      });
    }

    it('4020 when the balance covers one part but not two', async () => {
      const { auth } = await accountWithUnits(gateway, 2 * gateway.config.prices.SMS - 1);
      const response = await send(gateway, auth, [sms({ content: 'a'.repeat(161) }), sms({ content: 'a' })]);
      assert.deepEqual(
        response.body.items.map((i: any) => i.code),
        [4020, 201],
      );
      assert.equal(await balanceText(gateway, auth), `{"RUB":${decimal(gateway.config.prices.SMS - 1)}}`);
    });
  });

  it('a balance exactly equal to the price is enough; the next item gets 4020 and is not charged', async () => {
    const { auth } = await accountWithUnits(gateway, gateway.config.prices.VOICECODE);
    const response = await send(gateway, auth, [voicecode(), voicecode()]);
    assert.deepEqual(
      response.body.items.map((i: any) => i.code),
      [201, 4020],
    );
    assert.equal(await balanceText(gateway, auth), '{"RUB":0}');
    const again = await send(gateway, auth, [flashcall()]);
    assert.equal(again.body.items[0].code, 4020);
    assert.equal(await balanceText(gateway, auth), '{"RUB":0}');
  });

  it('stopping refunds the reservation exactly; a top-up shows at once', async () => {
    const start = 50 * 10_000;
    const { auth, accountId } = await accountWithUnits(gateway, start);
    const [a, b, c] = await sendOk(gateway, auth, [sms({ content: 'x'.repeat(200) }), voicecode(), vk()]);
    const prices = gateway.config.prices;
    assert.equal(await balanceText(gateway, auth), `{"RUB":${decimal(start - 2 * prices.SMS - prices.VOICECODE - prices.VK)}}`);
    await stop(gateway, auth, { uuids: [a] });
    assert.equal(await balanceText(gateway, auth), `{"RUB":${decimal(start - prices.VOICECODE - prices.VK)}}`);
    await stop(gateway, auth, { uuids: [b, c, a] });
    assert.equal(await balanceText(gateway, auth), `{"RUB":${decimal(start)}}`);
    await gateway.store.accounts.topUp(accountId, 12_345);
    assert.equal(await balanceText(gateway, auth), `{"RUB":${decimal(start + 12_345)}}`);
  });

  it('a refund makes room for a later item that was refused before', async () => {
    const { auth } = await accountWithUnits(gateway, gateway.config.prices.VOICECODE);
    const [uuid] = await sendOk(gateway, auth, [voicecode()]);
    assert.equal((await send(gateway, auth, [voicecode()])).body.items[0].code, 4020);
    await stop(gateway, auth, { uuids: [uuid] });
    assert.equal((await send(gateway, auth, [voicecode()])).body.items[0].code, 201);
  });

  it('an account with billing disabled reads {} and is never charged', async () => {
    const { auth, accountId } = await gateway.account(uniqueName('nobilling'), { billing: false, balance: 0 });
    assert.equal(await balanceText(gateway, auth), '{}');
    await sendOk(gateway, auth, [voicecode(), vk(), flashcall()]);
    assert.equal(await balanceText(gateway, auth), '{}');
    // Switching billing on shows the untouched balance.
    await gateway.store.accounts.setBillingEnabled(accountId, true);
    assert.equal(await balanceText(gateway, auth), '{"RUB":0}');
  });

  it('currencies other than RUB are reported under their own ISO 4217 code', async () => {
    const usd = await gateway.account(uniqueName('usd'), { currency: 'USD', balance: 12 });
    assert.equal(await balanceText(gateway, usd.auth), '{"USD":12}');
    await sendOk(gateway, usd.auth, [voicecode()]);
    assert.equal(await balanceText(gateway, usd.auth), `{"USD":${decimal(12 * 10_000 - gateway.config.prices.VOICECODE)}}`);
    const eur = await accountWithUnits(gateway, 1_200_050, { currency: 'EUR' });
    assert.equal(await balanceText(gateway, eur.auth), '{"EUR":120.005}');
  });

  it('any key type reads the balance of its account', async () => {
    for (const keyType of [2, 3, 4] as const) {
      const { auth } = await gateway.account(uniqueName(`type${keyType}`), { keyType, balance: 7 });
      assert.equal(await balanceText(gateway, auth), '{"RUB":7}');
    }
  });
});

describe('exact decimals (§2.6): configured prices that drift in binary floats', () => {
  let gateway: TestGateway;
  before(async () => {
    gateway = await startGateway((config) => {
      config.prices.VK = 1_000; // 0.1
      config.prices.FLASHCALL = 1; // 0.0001
      config.prices.SMS = 3_333; // 0.3333 per part
      config.prices.VOICECODE = 2_000; // 0.2
    });
  });
  after(() => gateway.close());

  it('0.3 covers exactly three items at 0.1; a fourth gets 4020; the balance is exactly 0', async () => {
    const { auth } = await accountWithUnits(gateway, 3_000);
    assert.equal(await balanceText(gateway, auth), '{"RUB":0.3}');
    const response = await send(gateway, auth, [vk(), vk(), vk(), vk()]);
    assert.deepEqual(
      response.body.items.map((i: any) => i.code),
      [201, 201, 201, 4020],
    );
    assert.equal(await balanceText(gateway, auth), '{"RUB":0}');
  });

  it('0.1 + 0.2 is exactly 0.3 (one request at 0.1 and 0.2 on a 0.3 balance)', async () => {
    const { auth } = await accountWithUnits(gateway, 3_000);
    const response = await send(gateway, auth, [vk(), voicecode()]);
    assert.equal(response.body.errors, false, response.text);
    assert.equal(await balanceText(gateway, auth), '{"RUB":0}');
  });

  it('1 − 3 × 0.1 reads exactly 0.7', async () => {
    const { auth } = await accountWithUnits(gateway, 10_000);
    for (let i = 0; i < 3; i++) await sendOk(gateway, auth, [vk()]);
    assert.equal(await balanceText(gateway, auth), '{"RUB":0.7}');
  });

  it('four decimal places: 1000 − 3 × 0.0001 reads exactly 999.9997', async () => {
    const { auth } = await accountWithUnits(gateway, 1000 * 10_000);
    await sendOk(gateway, auth, [flashcall(), flashcall(), flashcall()]);
    assert.equal(await balanceText(gateway, auth), '{"RUB":999.9997}');
  });

  it('per-part prices: two SMS parts at 0.3333 from 1 read exactly 0.3334; a refund restores 1', async () => {
    const { auth } = await accountWithUnits(gateway, 10_000);
    const [uuid] = await sendOk(gateway, auth, [sms({ content: 'b'.repeat(161) })]);
    assert.equal(await balanceText(gateway, auth), '{"RUB":0.3334}');
    await stop(gateway, auth, { uuids: [uuid] });
    assert.equal(await balanceText(gateway, auth), '{"RUB":1}');
  });

  it('many small reservations and refunds add up exactly', async () => {
    const { auth } = await accountWithUnits(gateway, 10_000);
    const uuids = await sendOk(gateway, auth, Array.from({ length: 7 }, () => vk()));
    assert.equal(await balanceText(gateway, auth), '{"RUB":0.3}');
    await stop(gateway, auth, { uuids: uuids.slice(0, 3) });
    assert.equal(await balanceText(gateway, auth), '{"RUB":0.6}');
    const response = await send(gateway, auth, Array.from({ length: 7 }, () => vk()));
    assert.deepEqual(
      response.body.items.map((i: any) => i.code),
      [201, 201, 201, 201, 201, 201, 4020],
    );
    assert.equal(await balanceText(gateway, auth), '{"RUB":0}');
  });
});
