/**
 * The message timeline, our `GET /api/v1/message/{uuid}/events` (issue 3, item 8): every event of the message in
 * order — accepted, claimed, handed to the carrier, the carrier's answer, status changes, and each callback attempt
 * with its HTTP status and latency.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startCallbackReceiver, type CallbackReceiver } from '../support/callbackReceiver.js';
import {
  SECOND,
  engineRoundAt,
  isoMillis,
  messageOf,
  pause,
  ruNumber,
  settleAt,
  startDeliveryGateway,
  timelineKinds,
  timelineOf,
} from '../support/delivery.js';
import { call, type TestGateway } from '../support/gateway.js';
import { APPROVED_SENDERS, sendOk, sms, stop, uniqueName, vk } from '../support/http.js';

let gateway: TestGateway;
let receiver: CallbackReceiver;

before(async () => {
  gateway = await startDeliveryGateway();
  receiver = await startCallbackReceiver();
});
after(async () => {
  await gateway?.close();
  await receiver?.close();
});

const newAccount = () => gateway.account(uniqueName('timeline'), { senders: APPROVED_SENDERS });

describe('GET /api/v1/message/{uuid}/events', () => {
  it('a delivered message: accepted → claimed → sent → delivered → callback_attempt (HTTP status, latency), with their times', async () => {
    const { auth } = await newAccount();
    const createdAt = gateway.clock.now();
    const [uuid] = await sendOk(gateway, auth, [sms({ callbackUrl: receiver.url('/timeline/delivered') })]);
    const sentAt = createdAt + SECOND;
    const doneAt = createdAt + 3 * SECOND;
    await engineRoundAt(gateway, sentAt);
    gateway.clock.set(doneAt);
    await pause(10);
    await gateway.settle();

    const response = await call(gateway, 'GET', `/api/v1/message/${uuid}/events`, { auth });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    const timeline = response.body as { time: string; kind: string; detail: Record<string, any> | null }[];
    assert.deepEqual(timeline.map((e) => e.kind), ['accepted', 'claimed', 'sent', 'delivered', 'callback_attempt']);
    assert.deepEqual(timeline.map((e) => e.time), [isoMillis(createdAt), isoMillis(sentAt), isoMillis(sentAt), isoMillis(doneAt), isoMillis(doneAt)]);
    for (const entry of timeline) assert.deepEqual(Object.keys(entry).sort(), ['detail', 'kind', 'time']);

    const [accepted, claimed, sent, delivered, attempt] = timeline;
    assert.equal(accepted!.detail?.channelType, 'SMS');
    assert.equal(typeof claimed!.detail?.worker, 'string');
    assert.equal(claimed!.detail?.attempt, 1);
    assert.equal(sent!.detail?.source, 'simulator');
    assert.deepEqual(sent!.detail?.statuses, ['sent']);
    assert.deepEqual(delivered!.detail?.statuses, ['delivered']);
    assert.deepEqual(delivered!.detail?.callbacks, ['delivered']);

    const [request] = receiver.requestsFor(uuid!);
    assert.ok(request);
    assert.equal(attempt!.detail?.webhookId, request.headers['webhook-id']);
    assert.equal(attempt!.detail?.httpStatus, 200);
    assert.equal(attempt!.detail?.attempt, 1);
    assert.equal(attempt!.detail?.outcome, 'delivered');
    assert.equal(attempt!.detail?.url, receiver.url('/timeline/delivered'));
    assert.equal(typeof attempt!.detail?.latencyMs, 'number');
    assert.ok(attempt!.detail!.latencyMs >= 0 && attempt!.detail!.latencyMs < 10_000);
  });

  it('a receiver that fails twice then answers 2xx: three attempts under the same webhook-id and the same body', async () => {
    const { auth } = await newAccount();
    const path = '/timeline/flaky';
    let calls = 0;
    receiver.answerWith((_, request) => (request.path === path && ++calls <= 2 ? 500 : 200));
    try {
      const start = gateway.clock.now();
      const [uuid] = await sendOk(gateway, auth, [sms({ callbackUrl: receiver.url(path) })]);
      await settleAt(gateway, start);
      assert.equal(receiver.requestsFor(uuid!).length, 1, 'first attempt failed');
      // The retry schedule is about 5 s, then 30 s (±10 %).
      await settleAt(gateway, start + 5.5 * SECOND);
      assert.equal(receiver.requestsFor(uuid!).length, 2, 'second attempt failed');
      await settleAt(gateway, start + 5.5 * SECOND + 33 * SECOND);
      const requests = receiver.requestsFor(uuid!);
      assert.equal(requests.length, 3);
      assert.equal(new Set(requests.map((r) => r.headers['webhook-id'])).size, 1, 'the same webhook-id on every retry');
      assert.equal(new Set(requests.map((r) => r.raw)).size, 1, 'the same body on every retry');
      assert.deepEqual(
        receiver.eventsFor(uuid!).map((e) => [e.callback_event, e.status]),
        [['delivered', 'delivered'], ['delivered', 'delivered'], ['delivered', 'delivered']],
      );

      const attempts = (await timelineOf(gateway, auth, uuid!)).filter((e) => e.kind === 'callback_attempt');
      assert.deepEqual(
        attempts.map((a) => [a.detail?.attempt, a.detail?.httpStatus, a.detail?.outcome, a.detail?.webhookId]),
        [
          [1, 500, 'retry', requests[0]!.headers['webhook-id']],
          [2, 500, 'retry', requests[0]!.headers['webhook-id']],
          [3, 200, 'delivered', requests[0]!.headers['webhook-id']],
        ],
      );
      for (const a of attempts) assert.equal(typeof a.detail?.latencyMs, 'number');
      const times = attempts.map((a) => Date.parse(a.time));
      assert.ok(times[1]! - times[0]! >= 4.5 * SECOND && times[2]! - times[1]! >= 27 * SECOND, times.map(isoMillis).join());

      await settleAt(gateway, start + 2 * 3600 * SECOND);
      assert.equal(receiver.requestsFor(uuid!).length, 3, 'nothing after a 2xx');
    } finally {
      receiver.answerWith(() => 200);
    }
  });

  it('a refused, a stopped and a read message show their own stories', async () => {
    const { auth } = await newAccount();
    const start = gateway.clock.now();
    const [refused, read] = await sendOk(gateway, auth, [sms({ destination: ruNumber('1458') }), vk({ destination: ruNumber('2001') })]);
    await settleAt(gateway, start);
    const refusedTimeline = await timelineOf(gateway, auth, refused!);
    assert.deepEqual(refusedTimeline.map((e) => e.kind), ['accepted', 'claimed', 'unsent']);
    assert.deepEqual([refusedTimeline[2]!.detail?.source, refusedTimeline[2]!.detail?.errorCode], ['simulator', 458]);
    assert.deepEqual(await timelineKinds(gateway, auth, read!), ['accepted', 'claimed', 'sent', 'delivered', 'read']);

    const [stopped] = await sendOk(gateway, auth, [sms({ useLocalTime: false, hours: [(new Date(start).getUTCHours() + 5) % 24] })]);
    await settleAt(gateway, start + SECOND);
    await stop(gateway, auth, { uuids: [stopped] });
    const stoppedTimeline = await timelineOf(gateway, auth, stopped!);
    assert.deepEqual(stoppedTimeline.map((e) => e.kind), ['accepted', 'claimed', 'rescheduled', 'unsent']);
    assert.deepEqual([stoppedTimeline[3]!.detail?.source, stoppedTimeline[3]!.detail?.errorCode], ['api', 606]);
    assert.equal((await messageOf(gateway, auth, stopped!)).errorCode, 606);
  });

  it('404 for another account\'s message, an unknown uuid and a non-uuid; 401 without a key', async () => {
    const mine = await newAccount();
    const other = await newAccount();
    const [uuid] = await sendOk(gateway, mine.auth, [sms()]);
    for (const path of [`/api/v1/message/${uuid}/events`, `/api/v1/message/${randomUUID()}/events`, '/api/v1/message/nope/events']) {
      const response = await call(gateway, 'GET', path, { auth: other.auth });
      assert.equal(response.status, 404, path);
      assert.deepEqual(response.body, { error: { code: 4040, msg: 'Not found' } });
    }
    assert.equal((await call(gateway, 'GET', `/api/v1/message/${uuid}/events`)).status, 401);
    assert.equal((await call(gateway, 'GET', `/api/v1/message/${uuid!.toUpperCase()}/events`, { auth: mine.auth })).status, 200);
  });
});
