/** The SMPP connector's pure parts: config parsing, pacing, PDU framing, MO reassembly, the submit error table and its doc. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { SMPP_DEFAULTS, parseSmscConfig } from '../../src/connectors/smpp/smppConfig.js';
import { SubmitPacer, THROTTLE_BACKOFF_MAX_MS, THROTTLE_BACKOFF_MIN_MS } from '../../src/smpp/submitPacer.js';
import { PduFramer } from '../../src/smpp/pduFraming.js';
import { readDeliverSm } from '../../src/smpp/deliverSm.js';
import { MoReassembly } from '../../src/smpp/moReassembly.js';
import { DEFAULT_SUBMIT_ERROR_CODE, SUBMIT_ERROR_RULES, describeStatus, submitErrorVerdict } from '../../src/connectors/smpp/submitErrors.js';
import { REFUSED_BEFORE_SUBMIT } from '../../src/connectors/smpp/smppConnector.js';
import { encodeSubmitSm } from '../../src/smpp/submitSm.js';
import { destinationAddress, senderAddress } from '../../src/smpp/addresses.js';
import { segmentSms, type SegmentationMode } from '../../src/smpp/segmentation.js';
import smpp from 'smpp';

const MINIMAL = { name: 'main', host: 'smsc.example', systemId: 'gw', password: 'pw' };

test('config: the required keys plus defaults', () => {
  assert.deepEqual(parseSmscConfig(MINIMAL, 'smpp.smscs[0]'), { ...SMPP_DEFAULTS, ...MINIMAL });
  assert.equal(SMPP_DEFAULTS.window, 100);
  assert.equal(SMPP_DEFAULTS.bindMode, 'transceiver');
  assert.equal(SMPP_DEFAULTS.segmentation, 'udh');
  const full = parseSmscConfig({ ...MINIMAL, port: 3550, tls: true, bindMode: 'transmitter+receiver', binds: 2, window: 10, throughputPerBind: 50, segmentation: 'sar', inboundAccount: 'acme' }, 'x');
  assert.deepEqual([full.port, full.tls, full.bindMode, full.binds, full.window, full.throughputPerBind, full.segmentation, full.inboundAccount], [3550, true, 'transmitter+receiver', 2, 10, 50, 'sar', 'acme']);
});

test('config: an error names the bad key', () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ ...MINIMAL, windw: 5 }, /unknown key "smpp\.smscs\[0\]\.windw"/],
    [{ ...MINIMAL, window: 0 }, /smpp\.smscs\[0\]\.window must be an integer from 1/],
    [{ ...MINIMAL, port: '2775' }, /\.port must be an integer/],
    [{ ...MINIMAL, bindMode: 'receiver' }, /\.bindMode must be one of "transceiver", "transmitter\+receiver"/],
    [{ ...MINIMAL, segmentation: 'udh8' }, /\.segmentation must be one of/],
    [{ ...MINIMAL, password: 'longer-than-8' }, /\.password must be a string of printable ASCII of 0–8 characters/],
    [{ ...MINIMAL, systemId: 'a-system-id-over-15' }, /\.systemId must be/],
    [{ ...MINIMAL, reconnectMinMs: 5_000, reconnectMaxMs: 1_000 }, /reconnectMinMs must not be above .*reconnectMaxMs/],
    [{ ...MINIMAL, tls: 'yes' }, /\.tls must be true or false/],
    [{ host: 'h', systemId: 'gw', password: 'pw' }, /\.name must be a string/],
  ];
  for (const [value, message] of bad) assert.throws(() => parseSmscConfig(value, 'smpp.smscs[0]'), message);
  assert.throws(() => parseSmscConfig([], 'smpp.smscs[1]'), /smpp\.smscs\[1\] must be a JSON object/);
});

test('pacer: a token bucket at the configured rate with a burst of 0.1 s', () => {
  const pacer = new SubmitPacer(100, 10);
  let sent = 0;
  for (let now = 0; now < 1000; now++) {
    while (pacer.waitMs(now) === 0) {
      pacer.take();
      sent++;
    }
  }
  assert.ok(sent >= 100 && sent <= 111, `${sent} in one second at 100/s`);
});

test('pacer: throttling pauses with a doubling backoff, halves window and rate once per episode, and they grow back', () => {
  const pacer = new SubmitPacer(0, 100);
  assert.equal(pacer.throttled(0), THROTTLE_BACKOFF_MIN_MS);
  assert.equal(pacer.window, 50);
  assert.equal(pacer.throttled(10), THROTTLE_BACKOFF_MIN_MS - 10, 'responses of the same burst: no second halving');
  assert.equal(pacer.window, 50);
  assert.equal(pacer.waitMs(20), 30);
  assert.equal(pacer.throttled(60), THROTTLE_BACKOFF_MIN_MS * 2);
  assert.equal(pacer.window, 25);
  for (let i = 0; i < 20; i++) pacer.accepted();
  assert.equal(pacer.window, 35);
  assert.equal(pacer.throttled(1_000), THROTTLE_BACKOFF_MIN_MS, 'an accepted submit resets the backoff');
  let backoff = 0;
  for (let at = 2_000; at < 60_000; at += 3_000) backoff = pacer.throttled(at);
  assert.equal(backoff, THROTTLE_BACKOFF_MAX_MS);
  assert.equal(pacer.window, 1);

  const rated = new SubmitPacer(200, 100);
  rated.throttled(0);
  assert.equal(rated.currentRate, 100);
  rated.waitMs(1_100);
  assert.equal(rated.currentRate, 150);
  rated.waitMs(2_200);
  assert.equal(rated.currentRate, 200);
});

test('framer: whole PDUs from any chunking; an impossible command_length is an error', () => {
  const pdu = (seq: number, body = 0): Buffer => {
    const out = Buffer.alloc(16 + body);
    out.writeUInt32BE(16 + body, 0);
    out.writeUInt32BE(0x80000015, 4);
    out.writeUInt32BE(seq, 12);
    return out;
  };
  const stream = Buffer.concat([pdu(1), pdu(2, 5), pdu(3)]);
  for (const size of [1, 3, 7, 16, 100]) {
    const framer = new PduFramer();
    const out: Buffer[] = [];
    for (let at = 0; at < stream.length; at += size) out.push(...framer.push(stream.subarray(at, at + size)));
    assert.deepEqual(out.map((b) => b.readUInt32BE(12)), [1, 2, 3], `chunks of ${size}`);
  }
  const broken = pdu(9);
  broken.writeUInt32BE(8, 0);
  assert.throws(() => new PduFramer().push(broken), (error: Error & { sequence?: number }) => error instanceof RangeError && error.sequence === 9);
});

test('deliver_sm read from raw octets; a truncated one is an error', () => {
  const body = Buffer.concat([
    Buffer.from('\0'), // service_type
    Buffer.from([1, 1]),
    Buffer.from('79261234567\0'),
    Buffer.from([0, 0]),
    Buffer.from('4242\0'),
    Buffer.from([0x40, 0, 0]), // esm_class, protocol_id, priority_flag
    Buffer.from('\0\0'), // schedule, validity
    Buffer.from([0, 0, 0x08, 0]), // registered_delivery, replace, data_coding, sm_default_msg_id
    Buffer.from([3, 0xaa, 0xbb, 0xcc]), // sm_length + short_message
    Buffer.from([0x00, 0x1e, 0x00, 0x03, 0x41, 0x42, 0x00]), // receipted_message_id "AB"
  ]);
  const raw = Buffer.concat([Buffer.alloc(16), body]);
  raw.writeUInt32BE(raw.length, 0);
  raw.writeUInt32BE(0x00000005, 4);
  const fields = readDeliverSm(raw, 'deliver_sm');
  assert.deepEqual([fields.sourceAddr, fields.destinationAddr, fields.esmClass, fields.dataCoding], ['79261234567', '4242', 0x40, 0x08]);
  assert.deepEqual([...fields.shortMessage], [0xaa, 0xbb, 0xcc]);
  assert.deepEqual(fields.tlvs.get(0x001e), Buffer.from('AB\0'));
  const truncated = Buffer.from(raw.subarray(0, raw.length - 9));
  truncated.writeUInt32BE(truncated.length, 0);
  assert.throws(() => readDeliverSm(truncated, 'deliver_sm'), RangeError);
});

test('MO reassembly: complete when all parts are in; a part repeated counts once; expiry hands over what came', () => {
  const mo = new MoReassembly(1_000);
  const part = (seq: number, text: string) => ({ from: '7926', to: '4242', reference: 1, total: 3, seq, text });
  assert.equal(mo.add(part(1, 'a'), 0), undefined);
  assert.equal(mo.add(part(1, 'a'), 1), undefined);
  assert.equal(mo.add(part(3, 'c'), 2), undefined);
  assert.deepEqual(mo.add(part(2, 'b'), 3), { from: '7926', to: '4242', text: 'abc', complete: true });
  assert.equal(mo.add(part(2, 'B'), 10), undefined);
  assert.deepEqual(mo.expire(500), []);
  assert.deepEqual(mo.expire(1_010), [{ from: '7926', to: '4242', text: '…B…', complete: false }]);
  assert.deepEqual(mo.add({ ...part(1, 'single'), total: 1 }, 0), { from: '7926', to: '4242', text: 'single', complete: true });
});

test('submit errors: throttling, transient and permanent statuses', () => {
  assert.deepEqual(submitErrorVerdict(0x58), { action: 'throttle' });
  assert.deepEqual(submitErrorVerdict(0x14), { action: 'throttle' });
  assert.deepEqual(submitErrorVerdict(0x08), { action: 'retry' });
  assert.deepEqual(submitErrorVerdict(0x0b), { action: 'refuse', errorCode: 11 });
  assert.deepEqual(submitErrorVerdict(0x0a), { action: 'refuse', errorCode: 457 });
  assert.deepEqual(submitErrorVerdict(0x500), { action: 'refuse', errorCode: 458 });
  assert.deepEqual(submitErrorVerdict(0x1234), { action: 'refuse', errorCode: DEFAULT_SUBMIT_ERROR_CODE });
  assert.equal(describeStatus(0x58), 'ESME_RTHROTTLED (0x00000058)');
  assert.equal(describeStatus(0x1234), '0x00001234');
});

test('submit_sm: our encoder writes exactly the octets the smpp library writes', () => {
  const texts = ['Hi', 'Code 1234 {ok} €5', 'Ваш код: 4821 🙂', 'x'.repeat(400), 'Длинный текст. '.repeat(12)];
  const modes: SegmentationMode[] = ['udh', 'sar', 'payload'];
  for (const text of texts) {
    for (const mode of modes) {
      for (const [sender, validity] of [['Acme', '260502110000000+'], ['+74951234567', '']] as const) {
        const segmented = segmentSms(text, { reference: 0x2a, mode });
        for (const part of segmented.parts) {
          const source = senderAddress(sender);
          const destination = destinationAddress('79261234567');
          const ours = encodeSubmitSm({
            source,
            destination,
            esmClass: part.esmClass,
            validityPeriod: validity,
            registeredDelivery: 1,
            dataCoding: segmented.dataCoding,
            shortMessage: part.shortMessage,
            ...(part.sarTlvs ? { sar: part.sarTlvs } : {}),
            ...(part.messagePayload ? { messagePayload: part.messagePayload } : {}),
          });
          const library = new smpp.PDU('submit_sm', {
            source_addr_ton: source.ton,
            source_addr_npi: source.npi,
            source_addr: source.addr,
            dest_addr_ton: destination.ton,
            dest_addr_npi: destination.npi,
            destination_addr: destination.addr,
            esm_class: part.esmClass,
            validity_period: validity,
            registered_delivery: 1,
            data_coding: segmented.dataCoding,
            short_message: part.shortMessage,
            ...(part.sarTlvs ?? {}),
            ...(part.messagePayload ? { message_payload: part.messagePayload } : {}),
          }).toBuffer();
          assert.deepEqual(ours, library, `${mode} ${JSON.stringify(text.slice(0, 10))} ${sender}`);
        }
      }
    }
  }
  assert.throws(() => encodeSubmitSm({ source: senderAddress('A'), destination: destinationAddress('7926'), esmClass: 0, validityPeriod: '', registeredDelivery: 1, dataCoding: 0, shortMessage: Buffer.alloc(255) }), RangeError);
});

// ---- docs/smpp-submit-errors.md holds the table generated from submitErrors.ts ----

const DOC = new URL('../../../docs/smpp-submit-errors.md', import.meta.url);
const START = '<!-- submit-errors:start (generated from src/connectors/smpp/submitErrors.ts by test/connectors/smppUnits.test.ts) -->';
const END = '<!-- submit-errors:end -->';

function renderTable(): string {
  const row = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;
  const what = { throttle: 'throttling: pause, slow the bind down, submit again', retry: 'transient: submit again after 200 ms', refuse: 'refused: `unsent`' };
  return [
    START,
    '',
    row(['`command_status`', 'Name', 'Meaning', 'What happens', '§13 `errorCode`']),
    row(['---', '---', '---', '---', '---']),
    ...SUBMIT_ERROR_RULES.map((r) => row([`\`0x${r.status.toString(16).toUpperCase().padStart(8, '0')}\``, r.name, r.meaning, what[r.action], r.errorCode ?? '—'])),
    row(['any other', '', '', what.refuse, DEFAULT_SUBMIT_ERROR_CODE]),
    '',
    '**Refused before any submit_sm:**',
    '',
    row(['Cause', '§13 `errorCode`']),
    row(['---', '---']),
    row(['Not an SMS (another channel, or content that is not text)', REFUSED_BEFORE_SUBMIT.notSms]),
    row(['Sender that cannot be an SMPP source address (over 20 characters, or not printable ASCII)', REFUSED_BEFORE_SUBMIT.senderNotWritable]),
    row(['Destination that is not a number', REFUSED_BEFORE_SUBMIT.destinationNotANumber]),
    '',
    END,
  ].join('\n');
}

test('docs/smpp-submit-errors.md holds the table generated from submitErrors.ts (DGW_UPDATE_DOCS=1 rewrites it)', () => {
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  assert.ok(start >= 0 && end > start, 'the doc has the table markers');
  const current = doc.slice(start, end + END.length);
  const table = renderTable();
  if (current !== table && process.env.DGW_UPDATE_DOCS === '1') {
    writeFileSync(DOC, doc.slice(0, start) + table + doc.slice(end + END.length));
    return;
  }
  assert.equal(current, table);
});
