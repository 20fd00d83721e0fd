/** submit_sm as the SMSC receives it: encodings, segmentation modes, addresses, validity; refusals and their codes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { messageIdKeys } from '../../src/smpp/receipt.js';
import { toSmppAbsoluteTime } from '../../src/smpp/validityPeriod.js';
import { toGsm7Septets } from '../../src/smpp/gsm7.js';
import { encodeUcs2 } from '../../src/smpp/segmentation.js';
import { ESME } from '../support/smscStandIn.js';
import { sms, withSmsc } from './smppHarness.js';

const TLV_MESSAGE_PAYLOAD = 0x0424;
const TLV_SAR_REF = 0x020c;
const LONG_GSM = 'The quick brown fox jumps over the lazy dog. '.repeat(8).trim(); // 359 septets → 3 parts

test('a GSM-7 text: one submit_sm with unpacked septets, addresses, registered_delivery and validity_period', async () => {
  await withSmsc({}, async ({ smsc, connector }) => {
    const message = sms({ content: 'Code 1234 {ok} €5', senderName: 'Acme' });
    const result = await connector.send(message);
    assert.equal(result.kind, 'sent');
    assert.deepEqual(result.kind === 'sent' && result.carrierRefs, [messageIdKeys('1000')]);
    assert.equal(smsc.submits.length, 1);
    const submit = smsc.submits[0]!;
    assert.equal(submit.dataCoding, 0x00);
    assert.equal(submit.esmClass, 0x00);
    assert.deepEqual(submit.shortMessage, toGsm7Septets('Code 1234 {ok} €5'));
    assert.equal(submit.shortMessage.length, 17 + 3, 'sm_length counts the escape septets of { } €');
    assert.equal(submit.text, 'Code 1234 {ok} €5');
    assert.deepEqual([submit.sourceTon, submit.sourceNpi, submit.sourceAddr], [5, 0, 'Acme']);
    assert.deepEqual([submit.destTon, submit.destNpi, submit.destinationAddr], [1, 1, message.destination]);
    assert.equal(submit.registeredDelivery, 1);
    assert.equal(submit.validityPeriod, toSmppAbsoluteTime(message.expiresAt));
    assert.equal(submit.validityPeriod, '260502110000000+');
    assert.equal(submit.serviceType, '');
    assert.equal(submit.tlvs.size, 0);
  });
});

test('a numeric sender is international TON 1 / NPI 1 without its +', async () => {
  await withSmsc({}, async ({ smsc, connector }) => {
    assert.equal((await connector.send(sms({ senderName: '+74951234567' }))).kind, 'sent');
    const submit = smsc.submits[0]!;
    assert.deepEqual([submit.sourceTon, submit.sourceNpi, submit.sourceAddr], [1, 1, '74951234567']);
  });
});

test('a UCS-2 text: data_coding 0x08 and UTF-16 big-endian octets', async () => {
  await withSmsc({}, async ({ smsc, connector }) => {
    const text = 'Ваш код: 4821 🙂';
    assert.equal((await connector.send(sms({ content: text }))).kind, 'sent');
    const submit = smsc.submits[0]!;
    assert.equal(submit.dataCoding, 0x08);
    assert.deepEqual(submit.shortMessage, encodeUcs2(text));
    assert.equal(submit.text, text);
  });
});

test('a 3-part GSM text with UDH: esm_class 0x40, one reference, parts in order, one carrier ref per part', async () => {
  await withSmsc({}, async ({ smsc, connector }) => {
    const result = await connector.send(sms({ content: LONG_GSM, totalParts: 3 }));
    assert.equal(result.kind, 'sent');
    assert.deepEqual(result.kind === 'sent' && result.carrierRefs, ['1000', '1001', '1002'].map((id) => messageIdKeys(id)));
    assert.equal(smsc.submits.length, 3);
    const reference = smsc.submits[0]!.udh![3]!;
    smsc.submits.forEach((submit, i) => {
      assert.equal(submit.esmClass, 0x40);
      assert.equal(submit.dataCoding, 0x00);
      assert.deepEqual([...submit.udh!], [0x05, 0x00, 0x03, reference, 3, i + 1]);
      assert.ok(submit.shortMessage.length <= 6 + 153, `part ${i + 1}: sm_length ${submit.shortMessage.length}`);
      assert.equal(submit.registeredDelivery, 1);
    });
    assert.equal(smsc.submits.map((submit) => submit.text).join(''), LONG_GSM);
    // Sequence numbers of everything we sent on the connection: increasing and unique.
    const ours = smsc.pdus.filter((pdu) => pdu.direction === 'in' && !(pdu.commandId & 0x80000000)).map((pdu) => pdu.sequenceNumber);
    assert.deepEqual(ours, [...ours].sort((a, b) => a - b));
    assert.equal(new Set(ours).size, ours.length);
    assert.equal(smsc.binds[0]!.interfaceVersion, 0x34);
  });
});

test('two multipart messages get different UDH references', async () => {
  await withSmsc({}, async ({ smsc, connector }) => {
    await connector.send(sms({ content: LONG_GSM }));
    await connector.send(sms({ content: LONG_GSM }));
    assert.notEqual(smsc.submits[0]!.udh![3], smsc.submits[3]!.udh![3]);
  });
});

test('SAR mode: the sar_* TLVs and esm_class 0x00, no UDH', async () => {
  await withSmsc({ config: { segmentation: 'sar' } }, async ({ smsc, connector }) => {
    assert.equal((await connector.send(sms({ content: LONG_GSM }))).kind, 'sent');
    assert.equal(smsc.submits.length, 3);
    const reference = smsc.submits[0]!.sar!.reference;
    smsc.submits.forEach((submit, i) => {
      assert.equal(submit.esmClass, 0x00);
      assert.equal(submit.udh, undefined);
      assert.deepEqual(submit.sar, { reference, total: 3, seq: i + 1 });
      assert.equal(submit.tlvs.get(TLV_SAR_REF)!.length, 2);
    });
    assert.equal(smsc.submits.map((submit) => submit.text).join(''), LONG_GSM);
  });
});

test('payload mode: one submit_sm, sm_length 0, the whole text in message_payload', async () => {
  await withSmsc({ config: { segmentation: 'payload' } }, async ({ smsc, connector }) => {
    const result = await connector.send(sms({ content: LONG_GSM }));
    assert.deepEqual(result.kind === 'sent' && result.carrierRefs, [messageIdKeys('1000')]);
    assert.equal(smsc.submits.length, 1);
    const submit = smsc.submits[0]!;
    assert.equal(submit.shortMessage.length, 0);
    assert.deepEqual(submit.tlvs.get(TLV_MESSAGE_PAYLOAD), toGsm7Septets(LONG_GSM));
    assert.equal(submit.text, LONG_GSM);
  });
});

test('refused before any submit: another channel 604, a sender SMPP cannot carry 457, a destination that is not a number 11', async () => {
  await withSmsc({}, async ({ smsc, connector }) => {
    const voice = await connector.send(sms({ channelType: 'VOICECODE', content: { contentType: 'text', text: 'code 1234' } }));
    assert.deepEqual([voice.kind, voice.kind === 'refused' && voice.errorCode], ['refused', 604]);
    const sender = await connector.send(sms({ senderName: 'A sender name far too long for SMPP' }));
    assert.deepEqual([sender.kind, sender.kind === 'refused' && sender.errorCode], ['refused', 457]);
    const cyrillic = await connector.send(sms({ senderName: 'Магазин' }));
    assert.deepEqual([cyrillic.kind, cyrillic.kind === 'refused' && cyrillic.errorCode], ['refused', 457]);
    const destination = await connector.send(sms({ destination: 'not-a-number' }));
    assert.deepEqual([destination.kind, destination.kind === 'refused' && destination.errorCode], ['refused', 11]);
    assert.equal(smsc.submitCount, 0);
  });
});

test('permanent submit errors become §13 codes (docs/smpp-submit-errors.md)', async () => {
  const cases: [number, number][] = [
    [ESME.RINVDSTADR, 11],
    [ESME.RINVSRCADR, 457],
    [0x500, 458],
    [ESME.RSUBMITFAIL, 502],
    [0x99, 502],
  ];
  await withSmsc({}, async ({ smsc, connector }) => {
    for (const [status, code] of cases) {
      smsc.failNext(1, status);
      const result = await connector.send(sms());
      assert.equal(result.kind, 'refused', `status 0x${status.toString(16)}`);
      assert.equal(result.kind === 'refused' && result.errorCode, code, `status 0x${status.toString(16)}`);
    }
    assert.equal(smsc.acceptedCount, 0);
  });
});

test('a part refused after earlier parts were accepted: refused, and the detail says how many parts the SMSC holds', async () => {
  await withSmsc({}, async ({ smsc, connector }) => {
    smsc.on('submit', () => {
      if (smsc.submitCount === 3) smsc.failNext(1, ESME.RINVDSTADR);
    });
    const result = await connector.send(sms({ content: LONG_GSM }));
    assert.equal(result.kind, 'refused');
    assert.match(result.detail ?? '', /part 3 refused.*2 of 3 parts were already accepted/);
  });
});

test('a transient ESME_RSYSERR is submitted again and then accepted', async () => {
  await withSmsc({}, async ({ smsc, connector }) => {
    smsc.failNext(2, ESME.RSYSERR);
    const message = sms();
    const result = await connector.send(message);
    assert.equal(result.kind, 'sent');
    assert.equal(smsc.submitCount, 3);
    assert.equal(smsc.submitsTo(message.destination), 1);
  });
});
