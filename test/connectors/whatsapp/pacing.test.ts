/**
 * Pacing of WhatsApp sends in the gateway (README "Limits, paced in the gateway"), over real HTTP: one subscriber
 * gets at most one message per `whatsapp.pairIntervalMs` from one number; a pair-rate error (131056) backs that pair
 * off 4 s, then 16 s; a number sends at most its `throughput` messages a second, evenly spaced.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { senderRow, startWhatsAppPair, type WhatsAppTestPair } from '../../support/whatsappGateway.js';

let pair: WhatsAppTestPair;
before(async () => {
  pair = await startWhatsAppPair({
    config: (config) => {
      config.whatsapp.pairIntervalMs = 6_000;
      config.whatsapp.senders = [senderRow({ throughput: 5 })];
    },
  });
});
after(() => pair.close());

const TEMPLATE = { contentType: 'template', templateId: 'order_shipped', language: 'en_US', parameters: ['42', '2026-12-04'] };
const callsTo = (digits: string) => pair.wa.requests.filter((r) => r.method === 'POST' && (r.body as any)?.to === `+${digits}`);
const statusOf = async (uuid: string) => (await pair.message(uuid)).status as string;

test('two messages to one subscriber: the second waits pairIntervalMs (6 s), then goes', async () => {
  pair.clock.advance(10_000); // away from the slots earlier tests may have taken
  const digits = '79005000001';
  const first = await pair.send(digits, TEMPLATE);
  const second = await pair.send(digits, TEMPLATE);
  await pair.settle();
  assert.equal(await statusOf(first), 'delivered');
  assert.equal(await statusOf(second), 'sending');
  assert.equal(callsTo(digits).length, 1);

  pair.clock.advance(5_000);
  await pair.settle();
  assert.equal(await statusOf(second), 'sending');
  assert.equal(callsTo(digits).length, 1, 'not before 6 s');

  pair.clock.advance(1_001);
  await pair.settle();
  assert.equal(await statusOf(second), 'delivered');
  assert.equal(callsTo(digits).length, 2);
  assert.ok(callsTo(digits).every((r) => r.status === 200), 'never sent into the platform limit');
});

test('131056 (pair rate) backs that subscriber off 4 s, then 16 s; other subscribers are not held', async () => {
  pair.clock.advance(10_000);
  const digits = '79005000002';
  pair.wa.failFor(digits, 131056);
  const uuid = await pair.send(digits, TEMPLATE);
  await pair.settle();
  assert.equal(await statusOf(uuid), 'sending');
  assert.equal(callsTo(digits).length, 1);

  const other = await pair.send('79005000003', TEMPLATE);
  await pair.settle();
  assert.equal(await statusOf(other), 'delivered', 'another subscriber of the same number goes');

  pair.clock.advance(3_500);
  await pair.settle();
  assert.equal(callsTo(digits).length, 1, 'not before 4 s');
  pair.clock.advance(600);
  await pair.settle();
  assert.equal(callsTo(digits).length, 2, 'tried again after 4 s');
  assert.equal(await statusOf(uuid), 'sending');

  pair.wa.clearFailFor(digits);
  pair.clock.advance(15_000);
  await pair.settle();
  assert.equal(callsTo(digits).length, 2, 'the second back-off is 16 s');
  pair.clock.advance(1_200);
  await pair.settle();
  assert.equal(callsTo(digits).length, 3);
  assert.equal(await statusOf(uuid), 'delivered');
});

test('a success resets the back-off: the next 131056 of that pair waits 4 s again', async () => {
  pair.clock.advance(10_000);
  const digits = '79005000004';
  pair.wa.failNext(131056);
  const uuid = await pair.send(digits, TEMPLATE);
  await pair.settle();
  pair.clock.advance(4_100);
  await pair.settle();
  assert.equal(await statusOf(uuid), 'delivered');
  assert.equal(callsTo(digits).length, 2);

  pair.clock.advance(10_000); // past the pair interval
  pair.wa.failNext(131056);
  const again = await pair.send(digits, TEMPLATE);
  await pair.settle();
  assert.equal(callsTo(digits).length, 3);
  pair.clock.advance(4_100);
  await pair.settle();
  assert.equal(await statusOf(again), 'delivered', '4 s, not 16 s');
  assert.equal(callsTo(digits).length, 4);
});

test('throughput 5: ten messages to ten subscribers go at 5 a second, each in its own slot, none refused', async () => {
  pair.clock.advance(10_000);
  const digits = Array.from({ length: 10 }, (_, i) => `790050001${String(i).padStart(2, '0')}`);
  const uuids = [];
  for (const d of digits) uuids.push(await pair.send(d, TEMPLATE));
  const sent = () => digits.filter((d) => callsTo(d).length > 0).length;
  await pair.settle();
  // Slots at 0 and 200 ms are within the 250 ms a send may sleep; the others wait in the queue, not in a hand-off.
  assert.ok(sent() >= 1 && sent() <= 2, `${sent()} sent before the clock moved`);
  const progress: number[] = [];
  for (let step = 0; step < 5; step++) {
    pair.clock.advance(400);
    await pair.settle();
    progress.push(sent());
  }
  // 400 ms at 5/s is two slots: never more than two more per step, and all ten by 2 s.
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i]! - progress[i - 1]! <= 3, `progress ${progress.join(', ')}`);
  assert.equal(progress.at(-1), 10, `progress ${progress.join(', ')}`);
  for (const uuid of uuids) assert.equal(await statusOf(uuid), 'delivered');
  assert.ok(digits.every((d) => callsTo(d).length === 1 && callsTo(d)[0]!.status === 200), 'one accepted call each: none refused');
});
