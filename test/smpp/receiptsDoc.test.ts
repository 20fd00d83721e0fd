/** docs/smpp-receipts.md: the mapping tables are rendered from src/smpp/receipt.ts, so they cannot drift. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { GSM_NETWORK_ERROR_RULES, RECEIPT_STAT_RULES, SPEC_DELIVER_ERROR_CODES, STAT_ALIASES } from '../../src/smpp/receipt.js';

const DOC = new URL('../../../docs/smpp-receipts.md', import.meta.url);
const START = '<!-- receipt-mapping:start (generated from src/smpp/receipt.ts by test/smpp/receiptsDoc.test.ts) -->';
const END = '<!-- receipt-mapping:end -->';

const row = (cells: (string | number)[]): string => `| ${cells.join(' | ')} |`;

function renderTables(): string {
  const stats = [
    row(['`stat`', '`message_state`', 'Meaning', 'Our status', '`errorCode` when no `err` / `network_error_code` applies']),
    row(['---', '---', '---', '---', '---']),
    ...RECEIPT_STAT_RULES.map((r) =>
      row([
        `\`${r.stat}\``,
        r.messageState,
        r.meaning,
        r.outcome === 'not final' ? 'not final: ignored, stays `sent`' : `\`${r.outcome}\``,
        r.defaultErrorCode === null ? '—' : r.defaultErrorCode,
      ]),
    ),
    row(['anything else', 'other values', 'Not recognised', 'not final: ignored (recorded), stays `sent`', '—']),
  ];
  const aliases = Object.entries(STAT_ALIASES)
    .map(([alias, stat]) => `\`${alias}\` → \`${stat}\``)
    .join(', ');
  const gsm = [
    row(['MAP error', 'Name (3GPP TS 29.002)', '`errorCode`']),
    row(['---', '---', '---']),
    ...GSM_NETWORK_ERROR_RULES.map((r) => row([r.mapError, `\`${r.name}\``, r.errorCode])),
  ];
  return [
    START,
    '',
    '**States.** `stat:` is read case-insensitively; also accepted: ' + aliases + '.',
    '',
    ...stats,
    '',
    '**Error codes kept as they are** (an `err:` equal to one of the §13 DELIVER_SM codes): ' + SPEC_DELIVER_ERROR_CODES.join(', ') + '.',
    '',
    '**`network_error_code` with network type 3 (GSM)**:',
    '',
    ...gsm,
    '',
    END,
  ].join('\n');
}

test('docs/smpp-receipts.md holds the tables generated from src/smpp/receipt.ts (DGW_UPDATE_DOCS=1 rewrites them)', () => {
  const doc = readFileSync(DOC, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  assert.ok(start >= 0 && end > start, 'the doc has the table markers');
  const current = doc.slice(start, end + END.length);
  const tables = renderTables();
  if (current !== tables && process.env.DGW_UPDATE_DOCS === '1') {
    writeFileSync(DOC, doc.slice(0, start) + tables + doc.slice(end + END.length));
    return;
  }
  assert.equal(current, tables, 'regenerate with DGW_UPDATE_DOCS=1');
});
