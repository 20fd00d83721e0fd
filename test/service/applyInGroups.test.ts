import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReportEnvelope } from '../../src/domain/reportEnvelope.js';
import { applyInGroups } from '../../src/service/applyInGroups.js';

const report = (uuid: string): ReportEnvelope => ({ uuid, source: 'whatsapp', report: { kind: 'delivered', at: 1 } });

test('reports that arrive while a group is written go together in the next write; each caller learns of its own', async () => {
  const writes: string[][] = [];
  let release: () => void = () => {};
  const apply = applyInGroups(async (reports) => {
    writes.push(reports.map((r) => r.uuid!));
    if (writes.length === 1) await new Promise<void>((resolve) => (release = resolve));
  }, () => 0);
  const first = apply([report('a')]);
  const second = apply([report('b'), report('c')]);
  const third = apply([report('d')]);
  release();
  await Promise.all([first, second, third]);
  assert.deepEqual(writes, [['a'], ['b', 'c', 'd']]);
  await apply([report('e')]);
  assert.deepEqual(writes.at(-1), ['e'], 'a lone request is written at once');
});

test('a failed write fails every caller of its group, and the next group is written', async () => {
  let calls = 0;
  let release: () => void = () => {};
  const apply = applyInGroups(async () => {
    calls++;
    if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
    if (calls === 2) throw new Error('disk full');
  }, () => 0);
  const first = apply([report('a')]);
  const second = apply([report('b')]);
  const third = apply([report('c')]);
  release();
  await first;
  await assert.rejects(second, /disk full/);
  await assert.rejects(third, /disk full/);
  await apply([report('d')]);
  assert.equal(calls, 3);
});
