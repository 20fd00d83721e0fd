/** Delivery receipts → report events: kinds, §13 codes, hex/decimal ids, early receipts, unmatched and odd receipts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CarrierEvent, HandoffResult } from '../../src/connectors/connector.js';
import { messageIdKeys } from '../../src/smpp/receipt.js';
import { ESME } from '../support/smscStandIn.js';
import { sleep, sms, waitUntil, withSmsc } from './smppHarness.js';

/** What the engine does: a report belongs to the part whose keys share one with it. */
function matches(event: CarrierEvent, result: HandoffResult): boolean {
  if (result.kind !== 'sent') return false;
  return (result.carrierRefs ?? []).some((keys) => keys.some((key) => event.carrierRefKeys?.includes(key)));
}

test('DELIVRD → delivered, keyed by the message_id, at the clock\'s time, with the raw receipt as detail', async () => {
  await withSmsc({}, async ({ smsc, connector, reports, clock }) => {
    const result = await connector.send(sms());
    await waitUntil(() => reports.length === 1, 'a report');
    const report = reports[0]!;
    assert.equal(report.kind, 'delivered');
    assert.equal(report.errorCode, undefined);
    assert.deepEqual(report.carrierRefKeys, messageIdKeys('1000'));
    assert.equal(report.at, clock.now());
    assert.match(report.detail ?? '', /^id:1000 sub:001 dlvrd:001 submit date:\d{10} done date:\d{10} stat:DELIVRD err:000 text:/);
    assert.ok(matches(report, result));
    await waitUntil(() => smsc.receipts[0]?.responseStatus !== undefined, 'deliver_sm_resp');
    assert.equal(smsc.receipts[0]!.responseStatus, ESME.ROK);
  });
});

test('undelivered receipts carry the §13 code: err, network_error_code, the stat\'s default', async () => {
  const plans = [
    { destination: '79260000001', plan: { stat: 'UNDELIV', err: 501 }, code: 501 },
    { destination: '79260000002', plan: { stat: 'EXPIRED', err: 0 }, code: 127 },
    { destination: '79260000003', plan: { stat: 'REJECTD', err: 999 }, code: 502 },
    { destination: '79260000004', plan: { stat: 'UNDELIV', err: null, networkErrorCode: { networkType: 3, code: 6 } }, code: 504 },
    { destination: '79260000005', plan: { stat: 'DELETED' }, code: 502 },
    { destination: '79260000006', plan: { stat: 'UNKNOWN', err: 510 }, code: 510 },
  ];
  const byDestination = new Map(plans.map((p) => [p.destination, p.plan]));
  await withSmsc({ smsc: { receipts: (submit) => byDestination.get(submit.destinationAddr) ?? {} } }, async ({ connector, reports }) => {
    const results: HandoffResult[] = [];
    for (const p of plans) results.push(await connector.send(sms({ destination: p.destination })));
    await waitUntil(() => reports.length === plans.length, 'every report');
    plans.forEach((p, i) => {
      const report = reports.find((r) => matches(r, results[i]!))!;
      assert.equal(report.kind, 'undelivered', p.destination);
      assert.equal(report.errorCode, p.code, p.destination);
    });
  });
});

test('hex message_id in submit_sm_resp, decimal (zero-padded) id in the receipt text: the keys meet', async () => {
  await withSmsc(
    { smsc: { messageIdNotation: 'hex', firstMessageId: 0x1a2b, receipts: { tlv: false, textIdNotation: 'decimal', textIdWidth: 10 } } },
    async ({ connector, reports }) => {
      const result = await connector.send(sms());
      assert.deepEqual(result.kind === 'sent' && result.carrierRefs, [messageIdKeys('1A2B')]);
      await waitUntil(() => reports.length === 1, 'a report');
      assert.match(reports[0]!.detail ?? '', /^id:0000006699 /);
      assert.deepEqual(reports[0]!.carrierRefKeys, messageIdKeys('0000006699'));
      assert.ok(reports[0]!.carrierRefKeys!.includes('n:6699'));
      assert.ok(matches(reports[0]!, result));
    },
  );
});

test('decimal message_id, lowercase hex id in the text and the receipted_message_id TLV: TLV keys first', async () => {
  await withSmsc({ smsc: { receipts: { textIdNotation: 'hex', textIdLowercase: true } } }, async ({ connector, reports }) => {
    const result = await connector.send(sms());
    await waitUntil(() => reports.length === 1, 'a report');
    // TLV 1000 first (exact text), then the text's 3e8.
    assert.deepEqual(reports[0]!.carrierRefKeys, ['t:1000', 'n:1000', 'n:4096', 't:3e8']);
    assert.ok(matches(reports[0]!, result));
  });
});

test('a TLV-only receipt (no text) is reported from receipted_message_id and message_state', async () => {
  await withSmsc({ smsc: { receipts: { inText: false, stat: 'UNDELIV' } } }, async ({ connector, reports }) => {
    const result = await connector.send(sms());
    await waitUntil(() => reports.length === 1, 'a report');
    assert.equal(reports[0]!.kind, 'undelivered');
    assert.equal(reports[0]!.errorCode, 502);
    assert.equal(reports[0]!.detail, 'receipted_message_id:1000 message_state:5');
    assert.ok(matches(reports[0]!, result));
  });
});

test('a receipt text in message_payload is read too', async () => {
  await withSmsc({ smsc: { receipts: { inPayload: true, tlv: false } } }, async ({ connector, reports }) => {
    const result = await connector.send(sms());
    await waitUntil(() => reports.length === 1, 'a report');
    assert.equal(reports[0]!.kind, 'delivered');
    assert.ok(matches(reports[0]!, result));
  });
});

test('an early receipt (before submit_sm_resp) is reported as usual, before the send resolves', async () => {
  await withSmsc({ smsc: { receipts: { early: true, earlyByMs: 50 } } }, async ({ smsc, connector, reports }) => {
    const order: string[] = [];
    const sending = connector.send(sms()).then((result) => {
      order.push('sent');
      return result;
    });
    await waitUntil(() => reports.length === 1, 'the early report');
    order.push('report');
    const result = await sending;
    assert.deepEqual(order, ['report', 'sent']);
    assert.ok(matches(reports[0]!, result), 'the engine can match it once the part is known');
    assert.equal(smsc.receipts[0]!.early, true);
  });
});

test('a multipart message: one receipt per part, each matching its own part', async () => {
  await withSmsc({}, async ({ connector, reports }) => {
    const result = await connector.send(sms({ content: 'x'.repeat(400), totalParts: 3 }));
    await waitUntil(() => reports.length === 3, 'three reports');
    assert.equal(result.kind, 'sent');
    const refs = result.kind === 'sent' ? result.carrierRefs! : [];
    refs.forEach((keys) => assert.equal(reports.filter((r) => r.carrierRefKeys!.some((k) => keys.includes(k))).length, 1));
  });
});

test('receipts for unknown ids are answered and still reported (the engine records them); id-less ones are answered only', async () => {
  await withSmsc({ smsc: { receipts: false } }, async ({ smsc, connector, reports, logs }) => {
    await connector.send(sms());
    await smsc.sendReceipt('1000', { tlv: false, text: 'id:424242 sub:001 dlvrd:000 submit date:2605011000 done date:2605011001 stat:UNDELIV err:011' });
    await smsc.sendReceipt('1000', { tlv: false, text: 'stat:DELIVRD err:000' });
    await smsc.sendReceipt('1000', { tlv: false, text: 'complete gibberish' });
    await waitUntil(() => smsc.receipts.every((r) => r.responseStatus !== undefined) && smsc.receipts.length === 3, 'answers');
    assert.deepEqual(smsc.receipts.map((r) => r.responseStatus), [0, 0, 0]);
    assert.equal(reports.length, 1);
    assert.deepEqual(reports[0]!.carrierRefKeys, messageIdKeys('424242'));
    assert.equal(reports[0]!.errorCode, 11);
    assert.equal(logs.filter((line) => line.includes('names no message')).length, 2);
  });
});

test('intermediate receipts (ENROUTE, ACCEPTD) are answered and not reported', async () => {
  await withSmsc({ smsc: { receipts: false } }, async ({ smsc, connector, reports }) => {
    await connector.send(sms());
    await smsc.sendReceipt('1000', { stat: 'ENROUTE' });
    await smsc.sendReceipt('1000', { stat: 'ACCEPTD' });
    await smsc.sendReceipt('1000', { stat: 'DELIVRD' });
    await waitUntil(() => reports.length === 1, 'the final report');
    await sleep(20);
    assert.equal(reports.length, 1);
    assert.equal(reports[0]!.kind, 'delivered');
    assert.deepEqual(smsc.receipts.map((r) => r.responseStatus), [0, 0, 0]);
  });
});

test('a receipt the engine cannot take in (its listener throws) is answered ESME_RX_T_APPN, so the SMSC delivers it again', async () => {
  await withSmsc({ smsc: { receipts: false } }, async ({ smsc, connector, reports }) => {
    await connector.send(sms());
    reports.push = () => {
      throw new Error('store unavailable');
    };
    const record = await smsc.sendReceipt('1000');
    assert.equal(record?.responseStatus, 0x64);
  });
});
