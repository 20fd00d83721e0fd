/** The submit window over a stand-in link: window, order, throttling, deadlines, lost connections. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import smpp from 'smpp';
import { ESME_RINVBNDSTS } from '../../src/smpp/commandCodes.js';
import type { RequestHandlers } from '../../src/smpp/pduDispatch.js';
import { readHeader } from '../../src/smpp/pduFraming.js';
import { SubmitWindow, type SubmitLink, type SubmitResult } from '../../src/smpp/submitWindow.js';

const ESME_RTHROTTLED = 0x58;
const ESME_RINVDSTADR = 0x0b;

class FakeLink implements SubmitLink {
  sent: { pdu: Buffer; handlers: RequestHandlers }[] = [];
  request(raw: Buffer, _command: string, handlers: RequestHandlers): void {
    this.sent.push({ pdu: raw, handlers });
  }
  answer(index: number, status: number, messageId = ''): void {
    const raw = new smpp.PDU('submit_sm_resp', { sequence_number: index + 1, command_status: status, message_id: messageId }).toBuffer();
    this.sent[index]!.handlers.onResponse(raw, readHeader(raw));
  }
}

function windowWith(options: { window?: number; link?: FakeLink | null } = {}) {
  const link = options.link === undefined ? new FakeLink() : options.link;
  let current: FakeLink | undefined = link ?? undefined;
  const notBound: number[] = [];
  const submits = new SubmitWindow({
    rate: 0,
    window: options.window ?? 2,
    link: () => current,
    isThrottling: (status) => status === ESME_RTHROTTLED,
    onNotBound: () => notBound.push(1),
  });
  return { submits, link: link!, notBound, setLink: (next: FakeLink | undefined) => (current = next) };
}

/** A submit_sm stand-in: the window copies it and never looks inside. */
const part = (n: number) => Buffer.from([0, 0, 0, 17, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, n]);
const later = () => performance.now() + 60_000;

test('at most `window` unanswered; the rest wait in order and go as answers come', async () => {
  const { submits, link } = windowWith({ window: 2 });
  const results = [1, 2, 3].map((n) => submits.submit(part(n), later()));
  assert.equal(link.sent.length, 2);
  assert.equal(submits.outstanding, 2);
  assert.equal(submits.queued, 1);
  link.answer(0, 0, 'id-1');
  assert.equal(link.sent.length, 3);
  assert.equal(link.sent[2]!.pdu.at(16), 3, 'the third part went third');
  link.answer(1, 0, 'id-2');
  link.answer(2, ESME_RINVDSTADR);
  assert.deepEqual(await Promise.all(results), [
    { kind: 'accepted', messageId: 'id-1' },
    { kind: 'accepted', messageId: 'id-2' },
    { kind: 'rejected', status: ESME_RINVDSTADR },
  ] satisfies SubmitResult[]);
  assert.equal(submits.outstanding, 0);
});

test('a throttled submit goes again, first in line, after a pause; the window shrinks', async () => {
  const { submits, link } = windowWith({ window: 4 });
  const first = submits.submit(part(1), later());
  assert.equal(link.sent.length, 1);
  link.answer(0, ESME_RTHROTTLED);
  assert.ok(submits.currentWindow < 4, `window ${submits.currentWindow}`);
  const second = submits.submit(part(2), later());
  assert.equal(link.sent.length, 1, 'nothing goes during the pause');
  const until = performance.now() + 2_000;
  while (link.sent.length < 2 && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(link.sent[1]!.pdu.at(16), 1, 'the throttled part goes before the later one');
  link.answer(1, 0, 'again');
  assert.deepEqual(await first, { kind: 'accepted', messageId: 'again' });
  while (link.sent.length < 3 && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
  link.answer(2, 0, 'two');
  assert.deepEqual(await second, { kind: 'accepted', messageId: 'two' });
});

test('ESME_RINVBNDSTS is a rejection, and tells the session the SMSC sees no bind', async () => {
  const { submits, link, notBound } = windowWith();
  const result = submits.submit(part(1), later());
  link.answer(0, ESME_RINVBNDSTS);
  assert.deepEqual(await result, { kind: 'rejected', status: ESME_RINVBNDSTS });
  assert.equal(notBound.length, 1);
});

test('without a link submits wait; their deadline resolves them unsent, and failQueued does at once', async () => {
  const { submits, link, setLink } = windowWith({ link: new FakeLink() });
  setLink(undefined);
  const soon = submits.submit(part(1), performance.now() + 5);
  const waiting = submits.submit(part(2), later());
  assert.equal(link.sent.length, 0);
  await new Promise((resolve) => setTimeout(resolve, 10));
  submits.expireDue(performance.now());
  assert.deepEqual(await soon, { kind: 'unsent', reason: 'not sent before its deadline (window full, paced or not bound)' });
  assert.equal(submits.queued, 1);
  submits.failQueued('the connection was lost before it was sent');
  assert.deepEqual(await waiting, { kind: 'unsent', reason: 'the connection was lost before it was sent' });
});

test('a written submit whose connection goes is lost, and the window is free again', async () => {
  const { submits, link } = windowWith({ window: 1 });
  const written = submits.submit(part(1), later());
  link.sent[0]!.handlers.onLost('connection lost before submit_sm_resp');
  submits.connectionClosed();
  assert.deepEqual(await written, { kind: 'lost', reason: 'connection lost before submit_sm_resp' });
  assert.equal(submits.outstanding, 0);
  void submits.submit(part(2), later());
  assert.equal(link.sent.length, 2);
  submits.failQueued('done');
});
