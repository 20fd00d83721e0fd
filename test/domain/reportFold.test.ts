/**
 * The report fold (domain/reportFold, domain/roundParts): what a round of reports changes, on an in-memory
 * store. Each store runs the same fold; these tests hold its rules (spec §7 statuses, §8.3 money, §11
 * callbacks, multipart receipts, early receipts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CALLBACK_EVENTS } from '../../src/domain/channels.js';
import type { Report } from '../../src/domain/lifecycle.js';
import { foldReports, type FoldReads, type StoredMessageState } from '../../src/domain/reportFold.js';
import type { ReportEnvelope } from '../../src/domain/reportEnvelope.js';
import type { PartRef, StoredPart, WaitingReport } from '../../src/domain/roundParts.js';

const A = '063474ec-a34f-4558-90c5-984395000001';
const B = '063474ec-a34f-4558-90c5-984395000002';
const T = Date.UTC(2024, 4, 1, 10, 0, 0);

function message(uuid: string, overrides: Partial<StoredMessageState> = {}): StoredMessageState {
  return {
    uuid,
    accountId: 7,
    channelType: 'SMS',
    callbackUrl: 'https://client.example/cb',
    callbackEvents: [...CALLBACK_EVENTS],
    shortUrl: true,
    status: 'sending',
    totalParts: 1,
    reserved: 1_000,
    price: null,
    currency: 'USD',
    billingEnabled: true,
    createdAt: T - 1_000,
    sentAt: null,
    expiresAt: T + 60_000,
    ...overrides,
  };
}

/** A store in memory: its tables are the maps; `reads` counts what the fold asked for. */
function store(messages: StoredMessageState[], tables: { refs?: Record<string, PartRef>; parts?: Record<string, StoredPart[]>; waiting?: Record<string, WaitingReport[]>; links?: Record<string, string> } = {}) {
  const asked: string[] = [];
  const reads: FoldReads<StoredMessageState> = {
    message: (uuid) => (asked.push(`message ${uuid}`), messages.find((m) => m.uuid === uuid)),
    originalUrl: (uuid, url) => tables.links?.[`${uuid} ${url}`],
    findPart: (connector, keys) => {
      for (const key of keys) if (tables.refs?.[`${connector} ${key}`]) return tables.refs[`${connector} ${key}`];
      return undefined;
    },
    parts: (uuid) => tables.parts?.[uuid] ?? [],
    waiting: (connector, key) => tables.waiting?.[`${connector} ${key}`] ?? [],
  };
  return { reads, asked };
}

const byUuid = (uuid: string, report: Report, source = 'smpp'): ReportEnvelope => ({ uuid, report, source });
const handoff = (uuid: string, at: number, price: number, carrierRefs: string[][] = []): ReportEnvelope => ({
  uuid,
  source: 'engine',
  report: { kind: 'sent', at, price },
  handoff: { connector: 'smpp', carrierRefs },
});
const byRef = (keys: string[], report: Report): ReportEnvelope => ({ carrierRef: { connector: 'smpp', keys }, report, source: 'smpp' });
const events = (fold: ReturnType<typeof foldReports>) => fold.callbacks.map((c) => (JSON.parse(c.payload) as { callback_event: string }).callback_event);

test('a hand-off and its delivery in one round: the message is read once and leaves delivered, charged, with its callbacks in order', () => {
  const { reads, asked } = store([message(A)]);
  const fold = foldReports([handoff(A, T, 800), byUuid(A, { kind: 'delivered', at: T + 5 })], reads);
  assert.deepEqual(asked, [`message ${A}`]);
  const m = fold.messages.get(A)!;
  assert.equal(m.state.status, 'delivered');
  assert.equal(m.state.sentAt, T);
  assert.equal(m.state.reserved, 0);
  assert.deepEqual(m.state.price, { total: 800, currency: 'USD', parts: 1, final: true });
  // The last change's time, the sent time as the message time, no lifetime to watch after a final status.
  assert.deepEqual(m.change, { errorCode: null, statusAt: T + 5, messageTime: T, dueAt: null });
  assert.equal(m.releaseLease, true);
  assert.equal(m.connector, 'smpp');
  assert.deepEqual(events(fold), ['sent', 'price', 'delivered', 'price']);
  assert.deepEqual(fold.accountDeltas.get(7), { balance: -800, reserved: -1_000 });
  assert.deepEqual(fold.notes.map(([, at, kind]) => [kind, at]), [['sent', T], ['delivered', T + 5]]);
});

test('what the reports change is kept as it was read (a compare-and-set checks it); the state is the one the store gave', () => {
  const given = message(A);
  const { reads } = store([given]);
  const fold = foldReports([handoff(A, T, 800)], reads);
  assert.deepEqual(fold.messages.get(A)!.read, { status: 'sending', reserved: 1_000 });
  assert.equal(fold.messages.get(A)!.state, given);
  assert.equal(given.status, 'sent');
  assert.equal(given.reserved, 0);
  // Still sent: the lifetime end is watched.
  assert.equal(fold.messages.get(A)!.change!.dueAt, T + 60_000);
});

test('statuses never go backwards: a report after a final status is noted as ignored and changes nothing', () => {
  const { reads } = store([message(A, { status: 'delivered', sentAt: T - 10, reserved: 0 })]);
  const fold = foldReports([byUuid(A, { kind: 'undelivered', at: T, errorCode: 5 })], reads);
  assert.equal(fold.messages.get(A)!.change, null);
  assert.deepEqual(fold.callbacks, []);
  assert.equal(fold.accountDeltas.size, 0);
  assert.equal(JSON.parse(fold.notes[0]![3]).ignored, 'status is already delivered');
});

test('a hand-off of a message stopped meanwhile changes nothing but ends the claim, and records no network ids', () => {
  const { reads } = store([message(A, { status: 'unsent', reserved: 0 })]);
  const fold = foldReports([handoff(A, T, 800, [['id1']])], reads);
  const m = fold.messages.get(A)!;
  assert.equal(m.change, null);
  assert.equal(m.releaseLease, true);
  assert.deepEqual(fold.carrier.refs, []);
});

test('unsent refunds the reservation and is never priced; its message time is the refusal', () => {
  const { reads } = store([message(A)]);
  const fold = foldReports([byUuid(A, { kind: 'unsent', at: T, errorCode: 453 }, 'engine')], reads);
  const m = fold.messages.get(A)!;
  assert.deepEqual(m.change, { errorCode: 453, statusAt: T, messageTime: T, dueAt: null });
  assert.equal(m.state.price, null);
  assert.deepEqual(fold.accountDeltas.get(7), { balance: 0, reserved: -1_000 });
  assert.deepEqual(events(fold), ['delivered']);
});

test('reports on unknown messages change nothing', () => {
  const { reads } = store([]);
  const fold = foldReports([byUuid(B, { kind: 'delivered', at: T })], reads);
  assert.equal(fold.messages.size, 0);
  assert.deepEqual(fold.notes, []);
});

test('a receipt found by its network id is about that message', () => {
  const { reads } = store([message(A, { status: 'sent', sentAt: T - 5, reserved: 0 })], { refs: { 'smpp 1f': { uuid: A, part: 0 } } });
  const fold = foldReports([byRef(['1F', '1f'], { kind: 'delivered', at: T })], reads);
  assert.equal(fold.messages.get(A)!.state.status, 'delivered');
});

test("a receipt's exact id stored earlier wins over another message's numeric reading recorded in this round", () => {
  // A's SMSC id was 4500 (stored); B, handed off in this round, answered 1194, whose hex reading is 4500 too.
  const { reads } = store([message(A, { status: 'sent', sentAt: T - 5, reserved: 0 }), message(B)], { refs: { 'smpp t:4500': { uuid: A, part: 0 }, 'smpp n:4500': { uuid: A, part: 0 } } });
  const fold = foldReports([handoff(B, T, 800, [['t:1194', 'n:1194', 'n:4500']]), byRef(['t:4500', 'n:4500', 'n:17664'], { kind: 'delivered', at: T + 1 })], reads);
  assert.equal(fold.messages.get(A)!.state.status, 'delivered');
  assert.equal(fold.messages.get(B)!.state.status, 'sent');
});

test('a receipt naming an id nobody handed off is kept for later', () => {
  const { reads } = store([]);
  const receipt = byRef(['zz'], { kind: 'delivered', at: T });
  const fold = foldReports([receipt], reads);
  assert.deepEqual(fold.carrier.kept, [receipt]);
});

test('an early receipt (before its hand-off, in the same round) applies right after the hand-off, and is not kept', () => {
  const { reads } = store([message(A)]);
  const fold = foldReports([byRef(['id1'], { kind: 'delivered', at: T + 1 }), handoff(A, T, 800, [['id1']])], reads);
  assert.equal(fold.messages.get(A)!.state.status, 'delivered');
  assert.deepEqual(fold.carrier.kept, []);
  assert.deepEqual(fold.carrier.refs, [{ connector: 'smpp', key: 'id1', uuid: A, part: 0 }]);
  assert.deepEqual(fold.notes.map(([, , kind]) => kind), ['sent', 'delivered']);
});

test('reports kept in an earlier round are released by the hand-off, oldest first, and forgotten', () => {
  const late = (id: number, report: Report): WaitingReport => ({ id, envelope: byRef(['id1'], report) });
  const { reads } = store([message(A, { channelType: 'WHATSAPP' })], {
    waiting: { 'smpp id1': [late(9, { kind: 'read', at: T + 3 }), late(4, { kind: 'delivered', at: T + 2 })] },
  });
  const fold = foldReports([handoff(A, T, 800, [['id1']])], reads);
  assert.deepEqual(fold.carrier.released, [4, 9]);
  assert.deepEqual(fold.notes.map(([, , kind]) => kind), ['sent', 'delivered', 'read']);
  assert.equal(fold.messages.get(A)!.state.status, 'read');
});

test("this round's hand-off wins over a stored id: a reused network id names the newest message", () => {
  const { reads } = store([message(A), message(B, { status: 'delivered', reserved: 0 })], { refs: { 'smpp id1': { uuid: B, part: 0 } } });
  const fold = foldReports([handoff(A, T, 800, [['id1']]), byRef(['id1'], { kind: 'undelivered', at: T + 1, errorCode: 11 })], reads);
  assert.equal(fold.messages.get(A)!.state.status, 'undelivered');
  assert.equal(fold.messages.has(B), false);
});

test('multipart: a part delivered is noted as a part; the message is delivered when every part is', () => {
  const { reads } = store([message(A, { totalParts: 3 })]);
  const fold = foldReports(
    [
      handoff(A, T, 900, [['p0'], ['p1'], ['p2']]),
      byRef(['p1'], { kind: 'delivered', at: T + 1 }),
      byRef(['p0'], { kind: 'delivered', at: T + 2 }),
      byRef(['p2'], { kind: 'delivered', at: T + 3 }),
    ],
    reads,
  );
  assert.deepEqual(fold.notes.map(([, , kind]) => kind), ['sent', 'part_delivered', 'part_delivered', 'delivered']);
  assert.equal(JSON.parse(fold.notes[1]![3]).part, 1);
  assert.deepEqual(fold.carrier.parts, [0, 1, 2].map((part) => ({ uuid: A, part })));
  assert.equal(fold.messages.get(A)!.state.status, 'delivered');
  assert.deepEqual(fold.messages.get(A)!.change!.statusAt, T + 3);
});

test('multipart: one part undelivered makes the message undelivered with its code; a part settles once', () => {
  const parts: StoredPart[] = [0, 1].map((part) => ({ part, outcome: null, errorCode: null }));
  const { reads } = store([message(A, { status: 'sent', sentAt: T - 5, reserved: 0, totalParts: 2 })], {
    refs: { 'smpp p0': { uuid: A, part: 0 }, 'smpp p1': { uuid: A, part: 1 } },
    parts: { [A]: parts },
  });
  const fold = foldReports([byRef(['p1'], { kind: 'delivered', at: T }), byRef(['p1'], { kind: 'undelivered', at: T + 1, errorCode: 9 }), byRef(['p0'], { kind: 'undelivered', at: T + 2, errorCode: 11 })], reads);
  assert.deepEqual(fold.carrier.settled, [
    { uuid: A, part: 1, outcome: 'delivered', errorCode: null },
    { uuid: A, part: 0, outcome: 'undelivered', errorCode: 11 },
  ]);
  assert.equal(fold.messages.get(A)!.state.status, 'undelivered');
  assert.equal(fold.messages.get(A)!.change!.errorCode, 11);
  // The store's parts are its own: the fold settles copies.
  assert.equal(parts[1]!.outcome, null);
});

test('a click on a short link is reported with the original URL (spec §11.4)', () => {
  const { reads } = store([message(A, { status: 'delivered', sentAt: T - 5, reserved: 0 })], { links: { [`${A} https://s.example/s1`]: 'https://shop.example/page' } });
  const fold = foldReports([byUuid(A, { kind: 'click', at: T, url: 'https://s.example/s1' }, 'short link')], reads);
  const [payload] = fold.callbacks.map((c) => JSON.parse(c.payload) as Record<string, unknown>);
  assert.equal(payload!['callback_event'], 'click');
  assert.equal(payload!['url'], 'https://shop.example/page');
});

test('callbacks name their account and URL; money adds up per account over the round', () => {
  const { reads } = store([message(A), message(B, { reserved: 500 })]);
  const fold = foldReports([handoff(A, T, 800), handoff(B, T, 300)], reads);
  assert.deepEqual(new Set(fold.callbacks.map((c) => `${c.accountId} ${c.url}`)), new Set(['7 https://client.example/cb']));
  assert.deepEqual(fold.accountDeltas.get(7), { balance: -1_100, reserved: -1_500 });
});
