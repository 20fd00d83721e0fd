/** The simulator connector: magic numbers (docs/simulator.md), timing, resume after a restart, stop. */
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel } from '../../src/domain/channels.js';
import type { MessageContent } from '../../src/domain/message.js';
import type { CarrierEvent, ConnectorEvents, InFlightMessage, OutboundMessage } from '../../src/connectors/connector.js';
import {
  ERROR_CODE_MEANINGS,
  MAGIC_NUMBERS,
  firstLink,
  simulatedOutcome,
  type MagicNumber,
} from '../../src/connectors/simulator/magicNumbers.js';
import {
  SIMULATOR_DEFAULTS,
  createSimulatorConnector,
  type SimulatorOptions,
} from '../../src/connectors/simulator/simulatorConnector.js';
import { ManualClock } from '../support/manualClock.js';

/** The connector's events, reports only (the simulator sends no inbound messages). */
function reportsTo(report: (event: CarrierEvent) => void): ConnectorEvents {
  return { report, inbound: () => assert.fail('the simulator sends no inbound messages') };
}

// Written from the spec's §13 table, not from the module, so that the two are checked against each other.
const SPEC_UNDELIVERED = [11, 453, 454, 455, 456, 457, 458, 501, 502, 503, 504, 505, 506, 508, 509, 510, 601, 602, 603, 604, 612, 613, 615];
const SPEC_REFUSED = [...SPEC_UNDELIVERED, 610, 611, 614];
const CHANNELS: Channel[] = ['VOICECODE', 'FLASHCALL', 'SMS', 'WHATSAPP', 'VK'];
const LINK = 'https://shop.example/t/42?a=1';

/** Content as each channel carries it; only the texts of SMS, WHATSAPP and VK hold a link. */
const CONTENT: Record<Channel, MessageContent> = {
  VOICECODE: { contentType: 'text', text: 'Код авторизации от acme: 1234' },
  FLASHCALL: '1234',
  SMS: `Your parcel: ${LINK}. Thanks`,
  WHATSAPP: { contentType: 'text', text: `Your parcel (${LINK}) has shipped` },
  VK: `${LINK}`,
};

type Expected = { handoff: 'sent' | 'refused'; errorCode?: number; events: Partial<CarrierEvent>[] };

function expectedFor(digits: string, channel: Channel): Expected {
  const code = Number(digits.slice(1));
  if (digits[0] === '0' && SPEC_UNDELIVERED.includes(code)) {
    return { handoff: 'sent', events: [{ kind: 'undelivered', errorCode: code }] };
  }
  if (digits[0] === '1' && SPEC_REFUSED.includes(code)) return { handoff: 'refused', errorCode: code, events: [] };
  const messenger = channel === 'WHATSAPP' || channel === 'VK';
  const hasLink = channel === 'SMS' || channel === 'WHATSAPP' || channel === 'VK';
  switch (digits) {
    case '2000':
      return { handoff: 'sent', events: [] };
    case '2001':
      return { handoff: 'sent', events: messenger ? [{ kind: 'delivered' }, { kind: 'read' }] : [{ kind: 'delivered' }] };
    case '2003':
      return { handoff: 'sent', events: hasLink ? [{ kind: 'delivered' }, { kind: 'click', url: LINK }] : [{ kind: 'delivered' }] };
    default:
      return { handoff: 'sent', events: [{ kind: 'delivered' }] };
  }
}

const FAST: Omit<SimulatorOptions, 'clock'> = { deliveryDelayMs: 1, slowDelayMs: 2, readDelayMs: 1 };

let nextId = 0;
function message(destination: string, channelType: Channel = 'SMS', content: MessageContent = CONTENT[channelType]): OutboundMessage {
  nextId += 1;
  return {
    uuid: `00000000-0000-7000-8000-${String(nextId).padStart(12, '0')}`,
    accountId: 1,
    channelType,
    senderName: 'sender',
    destination,
    content,
    totalParts: 1,
    expiresAt: Date.now() + 60_000,
  };
}

/** Polls, so that a loaded machine makes the test slower, not flaky. */
async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('timed out waiting for events');
    await sleep(1);
  }
}

async function started(options: Partial<SimulatorOptions> = {}) {
  const clock = new ManualClock();
  const connector = createSimulatorConnector({ ...FAST, clock, ...options });
  const events: CarrierEvent[] = [];
  await connector.start(reportsTo((event) => events.push(event)));
  const eventsOf = (uuid: string) => events.filter((event) => event.uuid === uuid);
  /** Kind, code and url only: what the magic number decides. */
  const shapesOf = (uuid: string) =>
    eventsOf(uuid).map(({ kind, errorCode, url }) => ({ kind, ...(errorCode !== undefined && { errorCode }), ...(url !== undefined && { url }) }));
  return { clock, connector, events, eventsOf, shapesOf };
}

describe('magic numbers', () => {
  it('the table holds every §13 code a carrier can give, once, with a meaning', () => {
    const digits = MAGIC_NUMBERS.map((entry) => entry.digits);
    assert.deepEqual(digits, [
      ...SPEC_UNDELIVERED.map((code) => `0${String(code).padStart(3, '0')}`),
      ...[...SPEC_REFUSED].sort((a, b) => a - b).map((code) => `1${String(code).padStart(3, '0')}`),
      '2000', '2001', '2002', '2003', '2004',
    ]);
    for (const code of SPEC_REFUSED) assert.ok(ERROR_CODE_MEANINGS[code], `meaning of ${code}`);
  });

  it('only the last 4 digits count', () => {
    assert.deepEqual(simulatedOutcome('79260000601', 'VOICECODE'), { kind: 'undelivered', errorCode: 601 });
    assert.deepEqual(simulatedOutcome('14085551611', 'WHATSAPP'), { kind: 'refused', errorCode: 611 });
    assert.deepEqual(simulatedOutcome('0601', 'SMS'), { kind: 'undelivered', errorCode: 601 });
    assert.deepEqual(simulatedOutcome('79260006010', 'SMS'), { kind: 'delivered', speed: 'normal', then: null });
  });

  it('unlisted codes in the 0NNN/1NNN/2NNN ranges, and short numbers, are delivered normally', () => {
    for (const destination of ['79260000127', '79260000507', '79260000605', '79260001605', '79260001606', '79260001127', '79260002005', '601', '']) {
      for (const channel of CHANNELS) {
        assert.deepEqual(simulatedOutcome(destination, channel), { kind: 'delivered', speed: 'normal', then: null }, destination);
      }
    }
  });

  it('2001 is read only on WHATSAPP and VK; 2004 is slow', () => {
    for (const channel of CHANNELS) {
      const then = channel === 'WHATSAPP' || channel === 'VK' ? 'read' : null;
      assert.deepEqual(simulatedOutcome('79260002001', channel), { kind: 'delivered', speed: 'normal', then }, channel);
      assert.deepEqual(simulatedOutcome('79260002004', channel), { kind: 'delivered', speed: 'slow', then: null }, channel);
    }
  });

  it('finds the first http(s) link of a text, without trailing punctuation', () => {
    assert.equal(firstLink('see https://a.example/x, then http://b.example'), 'https://a.example/x');
    assert.equal(firstLink(`(${LINK}).`), LINK);
    assert.equal(firstLink('HTTP://A.EXAMPLE/Path'), 'HTTP://A.EXAMPLE/Path');
    assert.equal(firstLink({ contentType: 'text', text: 'go http://a.example/' }), 'http://a.example/');
    assert.equal(firstLink('ftp://a.example www.b.example'), null);
    assert.equal(firstLink({ contentType: 'template', templateId: 't', language: 'en', parameters: [LINK] }), null);
  });
});

describe('simulator connector', () => {
  it('every magic number, on every channel: the hand-off answer and the events, in order', async () => {
    const { connector, events, shapesOf } = await started();
    const cases = [];
    for (const { digits } of MAGIC_NUMBERS) {
      for (const channel of CHANNELS) {
        const sent = message(`7926000${digits}`, channel);
        cases.push({ digits, channel, sent, result: await connector.send(sent) });
      }
    }
    const expectedCount = cases.reduce((sum, { digits, channel }) => sum + expectedFor(digits, channel).events.length, 0);
    await waitFor(() => events.length >= expectedCount);
    await sleep(10); // and nothing more
    for (const { digits, channel, sent, result } of cases) {
      const expected = expectedFor(digits, channel);
      const label = `${digits} on ${channel}`;
      if (expected.handoff === 'refused') {
        assert.deepEqual({ kind: result.kind, errorCode: result.kind === 'refused' && result.errorCode }, { kind: 'refused', errorCode: expected.errorCode }, label);
      } else {
        assert.deepEqual({ kind: result.kind, carrierRef: result.kind === 'sent' && result.carrierRefs }, { kind: 'sent', carrierRef: undefined }, label);
      }
      assert.deepEqual(shapesOf(sent.uuid), expected.events, label);
    }
    await connector.stop();
  });

  it('any other destination: sent, then delivered; a WHATSAPP template has no link to click', async () => {
    const { connector, events, shapesOf } = await started();
    const plain = message('79261234567', 'VK');
    const template = message('79260002003', 'WHATSAPP', { contentType: 'template', templateId: 't', language: 'en', parameters: [LINK] });
    assert.equal((await connector.send(plain)).kind, 'sent');
    assert.equal((await connector.send(template)).kind, 'sent');
    await waitFor(() => events.length >= 2);
    assert.deepEqual(shapesOf(plain.uuid), [{ kind: 'delivered' }]);
    assert.deepEqual(shapesOf(template.uuid), [{ kind: 'delivered' }]);
    await connector.stop();
  });

  it('with every delay 0, events come in the turn of the send, in order within each message', async () => {
    const { connector } = await started({ deliveryDelayMs: 0, slowDelayMs: 0, readDelayMs: 0 });
    const log: string[] = [];
    await connector.stop();
    await connector.start(reportsTo((event) => log.push(event.kind)));
    await Promise.all([connector.send(message('79260002001', 'WHATSAPP')), connector.send(message('79260000601', 'FLASHCALL'))]);
    // Before the timers phase of this turn: the engine finds them among the reports of the hand-off's own round.
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual([...log].sort(), ['delivered', 'read', 'undelivered']);
    assert.ok(log.indexOf('delivered') < log.indexOf('read'));
    await connector.stop();
  });

  it('with a delay of 1 ms, events come only after send has resolved: the engine sees `sent` in the round before', async () => {
    const { connector } = await started({ deliveryDelayMs: 1, slowDelayMs: 1, readDelayMs: 1 });
    const log: string[] = [];
    await connector.stop();
    await connector.start(reportsTo((event) => log.push(event.kind)));
    await connector.send(message('79260002001', 'WHATSAPP'));
    log.push('send resolved');
    await connector.send(message('79260000601', 'FLASHCALL'));
    log.push('send resolved');
    await waitFor(() => log.length >= 5);
    assert.deepEqual(log.slice(0, 2), ['send resolved', 'send resolved']);
    // Across messages the order is free; within one message it is delivery first.
    assert.deepEqual(log.slice(2).sort(), ['delivered', 'read', 'undelivered']);
    assert.ok(log.indexOf('delivered') < log.indexOf('read'));
    await connector.stop();
  });

  it('honours the delivery, slow and read delays; event times come from the clock', async () => {
    // A delivery delay well above the 5 ms look: a loaded machine may pause the test that long between send and look.
    const { clock, connector, eventsOf } = await started({ deliveryDelayMs: 100, slowDelayMs: 160, readDelayMs: 30 });
    const read = message('79260002001', 'VK');
    const slow = message('79260002004', 'SMS');
    const startedAt = performance.now();
    await connector.send(read);
    await connector.send(slow);
    clock.advance(5_000);
    await sleep(5);
    assert.deepEqual(eventsOf(read.uuid), [], 'nothing before the delivery delay');
    await waitFor(() => eventsOf(read.uuid).length === 2);
    assert.ok(performance.now() - startedAt > 125, 'read not before deliveryDelayMs + readDelayMs');
    assert.deepEqual(eventsOf(read.uuid), [
      { uuid: read.uuid, kind: 'delivered', at: clock.now() },
      { uuid: read.uuid, kind: 'read', at: clock.now() },
    ]);
    await waitFor(() => eventsOf(slow.uuid).length === 1);
    assert.ok(performance.now() - startedAt > 155, 'slow delivery not before slowDelayMs');
    await connector.stop();
  });

  it('the read comes readDelayMs after the delivery', async () => {
    const { connector, events } = await started({ deliveryDelayMs: 5, readDelayMs: 40 });
    const times: Record<string, number> = {};
    await connector.stop();
    await connector.start(reportsTo((event) => {
      events.push(event);
      times[event.kind] = performance.now();
    }));
    await connector.send(message('79260002001', 'WHATSAPP'));
    await waitFor(() => times.read !== undefined);
    assert.ok(times.delivered !== undefined && times.read !== undefined);
    assert.ok(times.read - times.delivered > 30, `read ${times.read - times.delivered} ms after delivery`);
    await connector.stop();
  });

  it('counts hand-offs: refusals are not counted, and say why', async () => {
    const { connector } = await started();
    assert.equal(connector.handedOff, 0);
    assert.deepEqual(await connector.send(message('79260001610', 'WHATSAPP')), {
      kind: 'refused',
      errorCode: 610,
      detail: 'simulator: magic number 1610 (No open 24-hour window)', // for the timeline
    });
    await connector.send(message('79260000601', 'VOICECODE'));
    await connector.send(message('79260002000', 'SMS'));
    await connector.send(message('79261111111', 'SMS'));
    assert.equal(connector.handedOff, 3);
    await connector.stop();
  });

  it('stop clears the pending timers: nothing is emitted afterwards', async () => {
    const { connector, events } = await started({ deliveryDelayMs: 10 });
    await connector.send(message('79261111111'));
    await connector.send(message('79260002001', 'VK'));
    await connector.stop();
    await sleep(40);
    assert.deepEqual(events, []);
  });

  it('refuses to work before start', async () => {
    const connector = createSimulatorConnector({ ...FAST, clock: new ManualClock() });
    await assert.rejects(connector.send(message('79261111111')), /before start/);
    assert.throws(() => connector.resume?.([]), /before start/);
  });

  describe('resume after a restart', () => {
    const inFlight = (destination: string, channel: Channel, sentAt: number, status: InFlightMessage['status']): InFlightMessage => ({
      ...message(destination, channel),
      sentAt,
      status,
    });

    // Asserted through order and lower bounds only, so that a loaded machine cannot make it flaky.
    it('re-arms with the remaining delay, and at once when it is already past', async () => {
      const { clock, connector, events } = await started({ deliveryDelayMs: 200, readDelayMs: 200 });
      const now = clock.now();
      const halfway = inFlight('79260000602', 'FLASHCALL', now - 140, 'sent'); // 60 ms left
      const overdue = inFlight('79260002001', 'WHATSAPP', now - 10_000, 'sent');
      const fresh = inFlight('79261111111', 'SMS', now, 'sent'); // the full 200 ms left
      const firedAfter: Record<string, number> = {};
      const resumedAt = performance.now();
      await connector.stop();
      await connector.start(reportsTo((event) => {
        events.push(event);
        firedAfter[event.uuid!] = performance.now() - resumedAt;
      }));
      connector.resume?.([fresh, halfway, overdue]);
      await waitFor(() => events.length >= 4);
      assert.deepEqual(
        events.map(({ uuid, kind, errorCode }) => ({ uuid, kind, ...(errorCode !== undefined && { errorCode }) })),
        [
          { uuid: overdue.uuid, kind: 'delivered' },
          { uuid: overdue.uuid, kind: 'read' },
          { uuid: halfway.uuid, kind: 'undelivered', errorCode: 602 },
          { uuid: fresh.uuid, kind: 'delivered' },
        ],
      );
      assert.ok(firedAfter[halfway.uuid]! > 55, `halfway after ${firedAfter[halfway.uuid]} ms`);
      assert.ok(firedAfter[fresh.uuid]! > 195, `fresh after ${firedAfter[fresh.uuid]} ms`);
      assert.equal(connector.handedOff, 0, 'resuming hands nothing off again');
      await connector.stop();
    });

    it('for a message already delivered, re-arms only the read or the click', async () => {
      const { clock, connector, events, shapesOf } = await started();
      const now = clock.now();
      const read = inFlight('79260002001', 'VK', now - 10_000, 'delivered');
      const click = inFlight('79260002003', 'SMS', now - 10_000, 'delivered');
      const plain = inFlight('79260002002', 'WHATSAPP', now - 10_000, 'delivered');
      connector.resume?.([read, click, plain]);
      await waitFor(() => events.length >= 2);
      await sleep(10); // and nothing more
      assert.deepEqual(shapesOf(read.uuid), [{ kind: 'read' }]);
      assert.deepEqual(shapesOf(click.uuid), [{ kind: 'click', url: LINK }]);
      assert.deepEqual(shapesOf(plain.uuid), []);
      await connector.stop();
    });

    it('a never-final message stays silent: the engine expires it', async () => {
      const { clock, connector, events } = await started();
      connector.resume?.([inFlight('79260002000', 'SMS', clock.now() - 10_000, 'sent')]);
      await sleep(20);
      assert.deepEqual(events, []);
      await connector.stop();
    });
  });
});

// ---- docs/simulator.md: the table is rendered from MAGIC_NUMBERS, so it cannot drift. ----

const DOC = new URL('../../../docs/simulator.md', import.meta.url);
const START = '<!-- magic-numbers:start (generated from src/connectors/simulator/magicNumbers.ts by test/connectors/simulator.test.ts) -->';
const END = '<!-- magic-numbers:end -->';
const EXAMPLE_PREFIX = '7926000';

function tableRow({ digits, outcome, description }: MagicNumber): string[] {
  const example = `\`${EXAMPLE_PREFIX}${digits}\``;
  const row = (what: string, statuses: string, code: string, channels = 'all') => [`\`${digits}\``, example, what, statuses, code, channels];
  switch (outcome.kind) {
    case 'refused':
      return row(`${description}: refused at hand-off`, '`unsent`', String(outcome.errorCode));
    case 'undelivered':
      return row(`${description}: undelivered after \`deliveryDelayMs\``, '`sent` → `undelivered`', String(outcome.errorCode));
    case 'neverFinal':
      return row(`${description}: no final report; the message expires`, '`sent` → `undelivered` at the end of the lifetime', '127');
    case 'delivered': {
      const delay = outcome.speed === 'slow' ? '`slowDelayMs`' : '`deliveryDelayMs`';
      if (outcome.then === 'read') {
        return row(`${description}: delivered after ${delay}, read \`readDelayMs\` later`, '`sent` → `delivered` → `read`', '—', 'WHATSAPP, VK; elsewhere only `sent` → `delivered`');
      }
      if (outcome.then === 'click') {
        return row(`${description}: delivered after ${delay}, a \`click\` on the first link of the text \`readDelayMs\` later`, '`sent` → `delivered`, then a `click` event', '—', 'SMS, WHATSAPP, VK, when the text has a link');
      }
      return row(`${description}: delivered after ${delay}`, '`sent` → `delivered`¹', '—');
    }
  }
}

function renderTable(): string {
  const rows = [
    ['Last 4 digits', 'Example destination', 'Outcome', 'Statuses', '`errorCode`', 'Channels'],
    ['---', '---', '---', '---', '---', '---'],
    ...MAGIC_NUMBERS.map(tableRow),
    ['any other', '`79261234567`', 'Delivered after `deliveryDelayMs`', '`sent` → `delivered`¹', '—', 'all'],
  ];
  return [START, ...rows.map((cells) => `| ${cells.join(' | ')} |`), END].join('\n');
}

test('docs/simulator.md holds the table generated from the magic numbers (DGW_UPDATE_DOCS=1 rewrites it)', () => {
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
  assert.equal(current, table, 'regenerate with DGW_UPDATE_DOCS=1');
});

test('docs/simulator.md states the settings and their defaults', () => {
  const doc = readFileSync(DOC, 'utf8');
  for (const [name, value] of Object.entries(SIMULATOR_DEFAULTS)) {
    assert.ok(doc.includes(`| \`simulator.${name}\` | ${value} |`), `simulator.${name} = ${value}`);
  }
});
