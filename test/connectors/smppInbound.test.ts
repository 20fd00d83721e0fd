/** Inbound (MO) deliver_sm → inbound events: encodings, concatenation by UDH or SAR, addresses, the account. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { InboundMessage } from '../../src/connectors/connector.js';
import { toGsm7Septets } from '../../src/smpp/gsm7.js';
import { concatenationUdh, encodeUcs2 } from '../../src/smpp/segmentation.js';
import { waitUntil, withSmsc } from './smppHarness.js';

test('a GSM-7 MO becomes an inbound SMS for the configured account, at the clock\'s time', async () => {
  await withSmsc({ config: { inboundAccount: 'acme' } }, async ({ smsc, inbound, clock }) => {
    const response = await smsc.sendMo({ source: '79261234567', destination: '4242', text: 'STOP {all} €' });
    assert.equal(response.command_status, 0);
    await waitUntil(() => inbound.length === 1, 'the inbound message');
    assert.deepEqual(inbound[0], { channelType: 'SMS', from: '79261234567', to: '4242', text: 'STOP {all} €', at: clock.now(), accountName: 'acme' });
  });
});

test('a UCS-2 MO, a + in the source, no account configured', async () => {
  await withSmsc({}, async ({ smsc, inbound }) => {
    await smsc.sendMo({ source: '+79261234567', destination: 'Acme', text: 'Привет 👋' });
    await waitUntil(() => inbound.length === 1, 'the inbound message');
    assert.equal(inbound[0]!.from, '79261234567');
    assert.equal(inbound[0]!.to, 'Acme');
    assert.equal(inbound[0]!.text, 'Привет 👋');
    assert.equal(inbound[0]!.accountName, null);
  });
});

test('a concatenated MO (UDH), parts out of order: one inbound message with the whole text', async () => {
  await withSmsc({}, async ({ smsc, inbound }) => {
    const parts = ['Hello, this is ', 'a long reply ', 'in three parts'];
    for (const seq of [2, 3, 1]) {
      const shortMessage = Buffer.concat([concatenationUdh(0x42, 3, seq), toGsm7Septets(parts[seq - 1]!)]);
      await smsc.sendMo({ source: '79261234567', destination: '4242', shortMessage, dataCoding: 0x00, esmClass: 0x40 });
      if (seq !== 1) assert.equal(inbound.length, 0, 'nothing before the last part');
    }
    await waitUntil(() => inbound.length === 1, 'the whole message');
    assert.equal(inbound[0]!.text, parts.join(''));
  });
});

test('a concatenated UCS-2 MO with SAR TLVs', async () => {
  await withSmsc({}, async ({ smsc, inbound }) => {
    const parts = ['Первая часть, ', 'вторая часть'];
    for (const [i, text] of parts.entries()) {
      await smsc.sendMo({
        source: '79261234567',
        destination: '4242',
        shortMessage: encodeUcs2(text),
        dataCoding: 0x08,
        tlvs: { sar_msg_ref_num: 0x1234, sar_total_segments: 2, sar_segment_seqnum: i + 1 },
      });
    }
    await waitUntil(() => inbound.length === 1, 'the whole message');
    assert.equal(inbound[0]!.text, parts.join(''));
  });
});

test('two senders using the same reference are not mixed up', async () => {
  await withSmsc({}, async ({ smsc, inbound }) => {
    for (const [source, words] of [['79260000001', ['A1', 'A2']], ['79260000002', ['B1', 'B2']]] as const) {
      for (const [i, word] of words.entries()) {
        const shortMessage = Buffer.concat([concatenationUdh(7, 2, i + 1), toGsm7Septets(word)]);
        await smsc.sendMo({ source, destination: '4242', shortMessage, dataCoding: 0x00, esmClass: 0x40 });
      }
    }
    await waitUntil(() => inbound.length === 2, 'two messages');
    assert.deepEqual(inbound.map((m) => [m.from, m.text]), [['79260000001', 'A1A2'], ['79260000002', 'B1B2']]);
  });
});

test('a lone part of a concatenated MO is delivered with a gap mark at stop rather than lost', async () => {
  let received: InboundMessage[] = [];
  await withSmsc({}, async ({ smsc, inbound }) => {
    received = inbound;
    const shortMessage = Buffer.concat([concatenationUdh(9, 2, 1), toGsm7Septets('first half ')]);
    await smsc.sendMo({ source: '79261234567', destination: '4242', shortMessage, dataCoding: 0x00, esmClass: 0x40 });
    assert.equal(inbound.length, 0);
  });
  // withSmsc has stopped the connector, which hands over what it still held.
  assert.deepEqual(received.map((m) => m.text), ['first half …']);
});
