/** The SMPP connector's own parts: config parsing, the submit error table and its doc. Protocol units are in test/smpp/. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { SMPP_DEFAULTS, parseSmscConfig } from '../../src/connectors/smpp/smppConfig.js';
import { DEFAULT_SUBMIT_ERROR_CODE, SUBMIT_ERROR_RULES, describeStatus, submitErrorVerdict } from '../../src/connectors/smpp/submitErrors.js';
import { REFUSED_BEFORE_SUBMIT } from '../../src/connectors/smpp/smppConnector.js';

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
