/** README "Settings": its tables are rendered from the schema and the env variables, so they cannot drift. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { GENERATED_PARTS, REGENERATE, currentPart, renderPart, withGeneratedParts } from '../../src/config/renderSettingsTable.js';

const README = new URL('../../../README.md', import.meta.url);

test('README.md holds the settings tables rendered from src/config/schema.ts and src/config/sources.ts', () => {
  const readme = readFileSync(README, 'utf8');
  for (const part of GENERATED_PARTS) {
    const expected = renderPart(part);
    assert.equal(currentPart(readme, part), expected, `README.md differs from the schema: run \`${REGENERATE}\`, or paste:\n\n${expected}\n`);
  }
});

test('every setting of the file has a row, with its default and its env variable or flag', () => {
  const table = renderPart(GENERATED_PARTS[0]!);
  for (const row of [
    '| `http.port` | integer 0–65535 | `8080` | `DGW_HTTP_PORT`, `--port` |',
    '| `prices.SMS` | amount ≥ 0 | `"2.50"` |  |',
    '| `sip.codecs` | list of `"PCMA"` `"PCMU"` | `["PCMA","PCMU"]` |  |',
    '| `smpp.smscs[].name` | `A-Z a-z 0-9 _ . -`, 1–64 | (required) |  |',
    '| `sip.authUser` | string or null | `null` |  |',
    '| `logLevel` | `"fatal"` `"error"` `"warn"` `"info"` `"debug"` `"trace"` `"silent"` | `"info"` | `DGW_LOG_LEVEL` |',
  ]) {
    assert.ok(table.includes(row), row);
  }
  assert.doesNotMatch(table, /`sandbox`/, 'sandbox is set by serve --sandbox only, not by the file');
});

test('rewriting replaces only what lies between the markers', () => {
  const [part] = GENERATED_PARTS;
  const stale = `before\n${part!.start}\n| old |\n${part!.end}\nafter\n${GENERATED_PARTS.slice(1).map((p) => `${p.start}\n${p.end}`).join('\n')}\n`;
  const fresh = withGeneratedParts(stale);
  assert.ok(fresh.startsWith(`before\n${renderPart(part!)}\nafter\n`));
  assert.equal(withGeneratedParts(fresh), fresh);
  assert.throws(() => withGeneratedParts('no markers'), /markers/);
});
