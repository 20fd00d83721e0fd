/**
 * The user agent against a scripted callee on a UDP socket of the test: the timer and retransmission rules of
 * RFC 3261 (Timers A, B, D, E, F; re-ACK of retransmitted finals and 2xx), CANCEL timing, forks, strict
 * routing, and the answers to the callee's requests. T1 is 20 ms so that 64·T1 is 1.28 s.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { parseCSeq, parseVia, tagOf } from '../../src/sip/headers.js';
import { headerValue, headerValues, parseSipMessage, serializeSipMessage, type SipMessage, type SipRequest, type SipResponse } from '../../src/sip/message.js';
import { buildSdpOffer } from '../../src/sip/sdp.js';
import { createSipUserAgent, type SipUserAgent, type SipUserAgentOptions } from '../../src/sip/userAgent.js';
import { delay, recordCall } from './callEvents.js';

const T1 = 20;
const OFFER = buildSdpOffer({ address: '127.0.0.1', port: 40000, codecs: ['PCMA', 'PCMU'] });
const ANSWER = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 41000 RTP/AVP 8\r\n';

interface Received {
  message: SipMessage;
  raw: string;
  at: number;
  from: { address: string; port: number };
}

/** A callee whose every answer the test writes. */
class ScriptedCallee {
  readonly received: Received[] = [];
  /** How many requests of each method request() has handed out. */
  #taken = new Map<string, number>();
  /** What newRequest() has handed out, by method. */
  #handedOut = new Map<string, Set<string>>();

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (data, remote) => {
      const message = parseSipMessage(data);
      if (!message) return;
      this.received.push({ message, raw: data.toString(), at: Date.now(), from: { address: remote.address, port: remote.port } });
    });
  }

  static async start(): Promise<ScriptedCallee> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new ScriptedCallee(socket);
  }

  get port(): number {
    return this.socket.address().port;
  }

  /** The next request of this method not handed out yet, waiting for it if need be. */
  async request(method: string, timeoutMs = 10_000): Promise<Received & { message: SipRequest }> {
    const index = this.#taken.get(method) ?? 0;
    this.#taken.set(method, index + 1);
    await waitFor(() => this.requests(method).length > index, timeoutMs, `${method} #${index + 1}`);
    return this.requests(method)[index] as Received & { message: SipRequest };
  }

  /**
   * The next request of this method that starts something new, skipping retransmissions (byte for byte the same as
   * one seen before): with T1 = 20 ms a loaded machine often retransmits before the test has answered.
   */
  async newRequest(method: string, timeoutMs = 10_000): Promise<Received & { message: SipRequest }> {
    const handedOut = this.#handedOut.get(method) ?? new Set<string>();
    this.#handedOut.set(method, handedOut);
    const fresh = () => this.requests(method).find((r) => !handedOut.has(r.raw));
    await waitFor(() => fresh() !== undefined, timeoutMs, `a new ${method}`);
    const request = fresh()!;
    handedOut.add(request.raw);
    return request as Received & { message: SipRequest };
  }

  /** Requests of this method, each retransmission counted once. */
  distinct(method: string): number {
    return new Set(this.requests(method).map((r) => r.raw)).size;
  }

  requests(method: string): Received[] {
    return this.received.filter((r) => r.message.kind === 'request' && r.message.method === method);
  }

  send(message: SipMessage, to: { address: string; port: number }): void {
    this.socket.send(serializeSipMessage(message), to.port, to.address);
  }

  /** A response to a request, as a UAS builds it (RFC 3261 §8.2.6). */
  respond(
    received: Received,
    status: number,
    reason: string,
    options: { toTag?: string; headers?: Array<{ name: string; value: string }>; body?: string } = {},
  ): SipResponse {
    const request = received.message as SipRequest;
    let to = headerValue(request, 'To')!;
    if (options.toTag && tagOf(to) === undefined) to += `;tag=${options.toTag}`;
    const response: SipResponse = {
      kind: 'response',
      status,
      reason,
      headers: [
        ...headerValues(request, 'Via').map((value) => ({ name: 'Via', value })),
        { name: 'From', value: headerValue(request, 'From')! },
        { name: 'To', value: to },
        { name: 'Call-ID', value: headerValue(request, 'Call-ID')! },
        { name: 'CSeq', value: headerValue(request, 'CSeq')! },
        ...(options.headers ?? []),
        ...(options.body ? [{ name: 'Content-Type', value: 'application/sdp' }] : []),
      ],
      body: options.body ?? '',
    };
    this.send(response, received.from);
    return response;
  }

  contact(user = 'callee'): { name: string; value: string } {
    return { name: 'Contact', value: `<sip:${user}@127.0.0.1:${this.port}>` };
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

function branchOf(message: SipMessage): string | undefined {
  const via = headerValue(message, 'Via');
  const branch = via === undefined ? undefined : parseVia(via)?.params['branch'];
  return branch ?? undefined;
}

function cseqOf(message: SipMessage) {
  return parseCSeq(headerValue(message, 'CSeq')!)!;
}

describe('SIP user agent against a scripted callee', { timeout: 20_000 }, () => {
  let callee: ScriptedCallee;
  let ua: SipUserAgent;

  async function freshAgent(extra: Partial<SipUserAgentOptions> = {}): Promise<void> {
    await ua?.close();
    await callee?.close();
    callee = await ScriptedCallee.start();
    ua = await createSipUserAgent({
      localAddress: '127.0.0.1',
      localPort: 0,
      trunk: { host: '127.0.0.1', port: callee.port },
      userAgent: 'dgw-sip-test',
      timers: { t1Ms: T1 },
      ...extra,
    });
  }

  function invite() {
    const call = ua.invite({ to: '79001234567', from: '74950000000', sdp: OFFER });
    return { call, recording: recordCall(call) };
  }

  /** Answers the INVITE with 200 and waits for its ACK. */
  async function answer(extraHeaders: Array<{ name: string; value: string }> = []) {
    const inv = await callee.request('INVITE');
    const ok = callee.respond(inv, 200, 'OK', { toTag: 'callee1', headers: [callee.contact(), ...extraHeaders], body: ANSWER });
    const ack = await callee.request('ACK');
    return { inv, ok, ack };
  }

  before(() => freshAgent());
  after(async () => {
    await ua.close();
    await callee.close();
  });

  it('Timer A: the INVITE is retransmitted at T1, 2·T1, 4·T1, … unchanged; Timer B ends it at 64·T1', async () => {
    await freshAgent();
    const started = Date.now();
    const { recording } = invite();
    await recording.finished;
    const elapsed = Date.now() - started;
    await delay(5 * T1);
    assert.equal(recording.first('failed')?.code, null);
    // Never early; late only by a stall (1 s is generous for a loaded machine, and a Timer B of 128·T1 still fails).
    assert.ok(elapsed >= 64 * T1 - 5 && elapsed < 64 * T1 + 1000, `Timer B after ${elapsed} ms`);
    const invites = callee.requests('INVITE');
    // Sent at 0, 20, 60, 140, 300, 620, 1260 ms: the first and six retransmissions before 1280 ms.
    assert.equal(invites.length, 7);
    assert.ok(invites.every((r) => r.raw === invites[0]!.raw), 'retransmissions are identical');
    // Both ends share one event loop: a stall can delay the reading of a datagram past the next send, so arrivals
    // are measured from the moment the INVITE was asked for, not from the first arrival. None may come early; a
    // late one is a stall of a loaded machine (a wrong schedule shows in the count of seven above).
    invites.forEach((r, n) => {
      const offset = r.at - started;
      const expected = T1 * (2 ** n - 1);
      assert.ok(offset >= expected - 2 && offset < expected + 1000, `INVITE ${n} at ${offset} ms, expected ${expected}`);
    });
  });

  it('a provisional response stops the retransmissions, and no timeout follows while ringing', async () => {
    await freshAgent();
    const { call, recording } = invite();
    const inv = await callee.request('INVITE');
    callee.respond(inv, 180, 'Ringing', { toTag: 'callee1' });
    // On a loaded machine one retransmission may cross the 180; none may follow it.
    const crossing = callee.requests('INVITE').length + 1;
    await delay(70 * T1);
    assert.ok(callee.requests('INVITE').length <= crossing, `INVITE sent ${callee.requests('INVITE').length} times`);
    assert.deepEqual(recording.names(), ['ringing']);
    call.cancel();
    const cancel = await callee.request('CANCEL');
    callee.respond(cancel, 200, 'OK');
    callee.respond(inv, 487, 'Request Terminated', { toTag: 'callee1' });
    await recording.finished;
    assert.equal(recording.first('failed')?.code, 487);
  });

  it('a retransmitted final response is ACKed again (Timer D absorbs it), and reported once', async () => {
    await freshAgent();
    const { recording } = invite();
    const inv = await callee.request('INVITE');
    callee.respond(inv, 486, 'Busy Here', { toTag: 'callee1' });
    const ack = await callee.request('ACK');
    callee.respond(inv, 486, 'Busy Here', { toTag: 'callee1' });
    const again = await callee.request('ACK');
    assert.equal(again.raw, ack.raw);
    assert.equal(branchOf(ack.message), branchOf(inv.message));
    assert.equal(tagOf(headerValue(ack.message, 'To')), 'callee1');
    await delay(2 * T1);
    assert.deepEqual(recording.names(), ['failed']);
    assert.equal(recording.first('failed')?.code, 486);
  });

  it('a retransmitted 2xx gets the same ACK again; answered is reported once', async () => {
    await freshAgent();
    const { recording } = invite();
    const { inv, ok, ack } = await answer();
    assert.equal((ack.message as SipRequest).uri, `sip:callee@127.0.0.1:${callee.port}`);
    assert.notEqual(branchOf(ack.message), branchOf(inv.message));
    assert.deepEqual(cseqOf(ack.message), { seq: cseqOf(inv.message).seq, method: 'ACK' });
    callee.send(ok, inv.from);
    const again = await callee.request('ACK');
    assert.equal(again.raw, ack.raw);
    assert.deepEqual(recording.names(), ['answered']);
    assert.equal(recording.first('answered')?.sdp, ANSWER);
  });

  it('BYE: retransmitted by Timer E until answered, then ended by local', async () => {
    await freshAgent();
    const { call, recording } = invite();
    await answer();
    const hungUp = Date.now();
    call.hangup();
    const bye = await callee.request('BYE');
    const retransmitted = await callee.request('BYE'); // the first one is left unanswered
    assert.equal(retransmitted.raw, bye.raw);
    // From the hang-up, not from the first arrival: a stalled loop may read both datagrams at once.
    assert.ok(retransmitted.at - hungUp >= T1 - 2, `BYE retransmitted ${retransmitted.at - hungUp} ms after the hang-up`);
    callee.respond(retransmitted, 200, 'OK');
    await recording.finished;
    assert.deepEqual(recording.names(), ['answered', 'ended']);
    assert.deepEqual(recording.first('ended'), { by: 'local' });
  });

  it('BYE never answered: the call still ends at Timer F (64·T1)', async () => {
    await freshAgent();
    const { call, recording } = invite();
    await answer();
    const started = Date.now();
    call.hangup();
    await recording.finished;
    assert.ok(Date.now() - started >= 64 * T1 - 5);
    assert.deepEqual(recording.first('ended'), { by: 'local' });
    assert.ok(callee.requests('BYE').length >= 5);
  });

  it("the callee's OPTIONS and BYE get 200; a retransmitted BYE the same 200; a stranger's BYE 481", async () => {
    await freshAgent();
    const { recording } = invite();
    const { inv, ack } = await answer();
    const dialogRequest = (method: string, seq: number, branch: string): SipRequest => ({
      kind: 'request',
      method,
      uri: headerValue(inv.message, 'Contact')!.replace(/^<|>$/g, ''),
      headers: [
        { name: 'Via', value: `SIP/2.0/UDP 127.0.0.1:${callee.port};branch=z9hG4bK${branch}` },
        { name: 'From', value: headerValue(ack.message, 'To')! },
        { name: 'To', value: headerValue(ack.message, 'From')! },
        { name: 'Call-ID', value: headerValue(ack.message, 'Call-ID')! },
        { name: 'CSeq', value: `${seq} ${method}` },
        { name: 'Max-Forwards', value: '70' },
      ],
      body: '',
    });
    const responses = () => callee.received.filter((r) => r.message.kind === 'response');
    callee.send(dialogRequest('OPTIONS', 1, 'opt1'), inv.from);
    await waitFor(() => responses().length === 1);
    assert.equal((responses()[0]!.message as SipResponse).status, 200);

    const bye = dialogRequest('BYE', 2, 'bye1');
    callee.send(bye, inv.from);
    await waitFor(() => responses().length === 2);
    callee.send(bye, inv.from);
    await waitFor(() => responses().length === 3);
    const [, first, second] = responses();
    assert.equal((first!.message as SipResponse).status, 200);
    assert.equal(second!.raw, first!.raw);
    assert.deepEqual(cseqOf(first!.message), { seq: 2, method: 'BYE' });
    await recording.finished;
    assert.deepEqual(recording.names(), ['answered', 'ended']);
    assert.deepEqual(recording.first('ended'), { by: 'remote' });

    const stranger = dialogRequest('BYE', 1, 'bye2');
    stranger.headers = stranger.headers.map((h) => (h.name === 'Call-ID' ? { name: 'Call-ID', value: 'nobody' } : h));
    callee.send(stranger, inv.from);
    await waitFor(() => responses().length === 4);
    assert.equal((responses()[3]!.message as SipResponse).status, 481);
  });

  it("the callee's re-INVITE: 200 with our SDP, retransmitted until its ACK; the new Contact is the target", async () => {
    await freshAgent();
    const { call, recording } = invite();
    const { inv, ack } = await answer();
    const reinvite: SipRequest = {
      kind: 'request',
      method: 'INVITE',
      uri: headerValue(inv.message, 'Contact')!.replace(/^<|>$/g, ''),
      headers: [
        { name: 'Via', value: `SIP/2.0/UDP 127.0.0.1:${callee.port};branch=z9hG4bKreinvite` },
        { name: 'From', value: headerValue(ack.message, 'To')! },
        { name: 'To', value: headerValue(ack.message, 'From')! },
        { name: 'Call-ID', value: call.callId },
        { name: 'CSeq', value: '1 INVITE' },
        { name: 'Contact', value: `<sip:moved@127.0.0.1:${callee.port}>` },
        { name: 'Max-Forwards', value: '70' },
        { name: 'Content-Type', value: 'application/sdp' },
      ],
      body: ANSWER,
    };
    const oks = () => callee.received.filter((r) => r.message.kind === 'response' && cseqOf(r.message).method === 'INVITE');
    callee.send(reinvite, inv.from);
    await waitFor(() => oks().length >= 3); // sent, then again at T1 and 3·T1 without ACK
    const first = oks()[0]!.message as SipResponse;
    assert.equal(first.status, 200);
    assert.equal(first.body, OFFER);
    assert.ok(oks().every((r) => r.raw === oks()[0]!.raw));
    callee.send({ ...reinvite, method: 'ACK', headers: reinvite.headers.map((h) => (h.name === 'CSeq' ? { name: 'CSeq', value: '1 ACK' } : h)), body: '' }, inv.from);
    // A retransmission already due while the ACK waited to be read may still come (a stall of a loaded machine
    // runs the timer first): count after 10·T1, then no more for 8·T1 (= T2, the longest retransmission interval).
    await delay(10 * T1);
    const count = oks().length;
    await delay(8 * T1);
    assert.equal(oks().length, count, 'no retransmission after the ACK');
    call.hangup();
    const bye = await callee.request('BYE');
    assert.equal((bye.message as SipRequest).uri, `sip:moved@127.0.0.1:${callee.port}`);
    callee.respond(bye, 200, 'OK');
    await recording.finished;
    assert.deepEqual(recording.names(), ['answered', 'ended']);
  });

  it('responses not meant for us are dropped: two Vias, or a sent-by that is not ours', async () => {
    await freshAgent();
    const { call, recording } = invite();
    const inv = await callee.request('INVITE');
    const trying = callee.respond(inv, 100, 'Trying');
    await waitFor(() => recording.names().includes('trying'));
    const via = headerValue(inv.message, 'Via')!;
    const busyWith = (vias: string[]): SipResponse => ({
      ...trying,
      status: 486,
      reason: 'Busy Here',
      headers: [...vias.map((value) => ({ name: 'Via', value })), ...trying.headers.filter((h) => h.name !== 'Via')],
    });
    callee.send(busyWith([via, 'SIP/2.0/UDP 10.9.9.9;branch=z9hG4bKother']), inv.from);
    callee.send(busyWith([via.replace('127.0.0.1', '127.0.0.2')]), inv.from);
    await delay(5 * T1);
    assert.deepEqual(recording.names(), ['trying']);
    assert.equal(callee.requests('ACK').length, 0);
    call.cancel();
    callee.respond(await callee.request('CANCEL'), 200, 'OK');
    callee.respond(inv, 487, 'Request Terminated', { toTag: 'x' });
    await recording.finished;
  });

  it('out of any dialog: OPTIONS (a keep-alive) gets 200, an INVITE 603', async () => {
    await freshAgent();
    const request = (method: string): SipRequest => ({
      kind: 'request',
      method,
      uri: `sip:gateway@127.0.0.1:${ua.port}`,
      headers: [
        { name: 'Via', value: `SIP/2.0/UDP 127.0.0.1:${callee.port};rport;branch=z9hG4bK${method}` },
        { name: 'From', value: `<sip:trunk@127.0.0.1>;tag=t1` },
        { name: 'To', value: `<sip:gateway@127.0.0.1>` },
        { name: 'Call-ID', value: `probe-${method}` },
        { name: 'CSeq', value: `1 ${method}` },
        { name: 'Max-Forwards', value: '70' },
      ],
      body: '',
    });
    callee.send(request('OPTIONS'), { address: '127.0.0.1', port: ua.port });
    callee.send(request('INVITE'), { address: '127.0.0.1', port: ua.port });
    // ≥: the 603 is retransmitted (Timer G) until an ACK that never comes, maybe before this loop looks.
    await waitFor(() => callee.received.length >= 2);
    const byMethod = new Map(callee.received.map((r) => [cseqOf(r.message).method, r.message as SipResponse]));
    assert.equal(byMethod.get('OPTIONS')?.status, 200);
    assert.match(headerValue(byMethod.get('OPTIONS')!, 'Allow') ?? '', /INVITE/);
    assert.ok(tagOf(headerValue(byMethod.get('OPTIONS')!, 'To')), 'a To tag is added');
    assert.match(headerValue(byMethod.get('OPTIONS')!, 'Via') ?? '', /;rport=\d+/);
    assert.equal(byMethod.get('INVITE')?.status, 603);
  });

  it('cancel() before any provisional response: no CANCEL until one arrives, then in the same transaction', async () => {
    await freshAgent();
    const { call, recording } = invite();
    const inv = await callee.request('INVITE');
    call.cancel();
    await delay(5 * T1);
    assert.equal(callee.requests('CANCEL').length, 0);
    callee.respond(inv, 100, 'Trying');
    const cancel = await callee.request('CANCEL');
    assert.equal(branchOf(cancel.message), branchOf(inv.message));
    assert.equal((cancel.message as SipRequest).uri, (inv.message as SipRequest).uri);
    assert.deepEqual(cseqOf(cancel.message), { seq: cseqOf(inv.message).seq, method: 'CANCEL' });
    for (const name of ['From', 'To', 'Call-ID']) {
      assert.equal(headerValue(cancel.message, name), headerValue(inv.message, name), name);
    }
    callee.respond(cancel, 200, 'OK');
    callee.respond(inv, 487, 'Request Terminated', { toTag: 'callee1' });
    const ack = await callee.request('ACK');
    assert.equal(branchOf(ack.message), branchOf(inv.message));
    await recording.finished;
    assert.deepEqual(recording.names(), ['trying', 'failed']);
  });

  it('CANCEL without a final response: the INVITE is given up 64·T1 later', async () => {
    await freshAgent();
    const { call, recording } = invite();
    const inv = await callee.request('INVITE');
    callee.respond(inv, 180, 'Ringing', { toTag: 'callee1' });
    await waitFor(() => recording.names().includes('ringing'));
    const started = Date.now();
    call.cancel();
    const cancel = await callee.request('CANCEL');
    callee.respond(cancel, 200, 'OK');
    await recording.finished;
    assert.ok(Date.now() - started >= 64 * T1 - 5);
    assert.deepEqual(recording.first('failed'), { code: null, reason: 'no final response to the INVITE after CANCEL' });
  });

  it('a 2xx that crosses the CANCEL is ACKed, then released with BYE', async () => {
    await freshAgent();
    const { call, recording } = invite();
    const inv = await callee.request('INVITE');
    callee.respond(inv, 180, 'Ringing', { toTag: 'callee1' });
    await waitFor(() => recording.names().includes('ringing'));
    call.cancel();
    const cancel = await callee.request('CANCEL');
    callee.respond(cancel, 200, 'OK');
    callee.respond(inv, 200, 'OK', { toTag: 'callee1', headers: [callee.contact()], body: ANSWER });
    await callee.request('ACK');
    const bye = await callee.request('BYE');
    callee.respond(bye, 200, 'OK');
    await recording.finished;
    assert.deepEqual(recording.names(), ['ringing', 'answered', 'ended']);
  });

  it('a second 2xx from another fork is ACKed and released with BYE; the call keeps the first', async () => {
    await freshAgent();
    const { call, recording } = invite();
    const { inv } = await answer();
    callee.respond(inv, 200, 'OK', { toTag: 'fork2', headers: [callee.contact('fork2')], body: ANSWER });
    const forkAck = await callee.request('ACK');
    assert.equal(tagOf(headerValue(forkAck.message, 'To')), 'fork2');
    assert.equal((forkAck.message as SipRequest).uri, `sip:fork2@127.0.0.1:${callee.port}`);
    const forkBye = await callee.request('BYE');
    assert.equal(tagOf(headerValue(forkBye.message, 'To')), 'fork2');
    callee.respond(forkBye, 200, 'OK');
    await delay(2 * T1);
    assert.deepEqual(recording.names(), ['answered']);
    call.hangup();
    // On a loaded machine the fork's BYE may be retransmitted after our 200 (UDP, T1): skip those; the call's own
    // BYE must go to the first 2xx's dialog, and if it went to the fork none to callee1 would ever come.
    const toCallee1 = () => callee.requests('BYE').find((r) => tagOf(headerValue(r.message, 'To')) === 'callee1');
    await waitFor(() => toCallee1() !== undefined, 10_000, 'BYE to callee1');
    callee.respond(toCallee1() as Received & { message: SipRequest }, 200, 'OK');
    await recording.finished;
  });

  it('a strict router in the route set: it becomes the Request-URI and the remote target the last Route', async () => {
    await freshAgent();
    const { call, recording } = invite();
    const strict = `sip:proxy@127.0.0.1:${callee.port}`;
    const { ack } = await answer([{ name: 'Record-Route', value: `<${strict}>` }]);
    assert.equal((ack.message as SipRequest).uri, strict);
    assert.deepEqual(headerValues(ack.message, 'Route'), [`<sip:callee@127.0.0.1:${callee.port}>`]);
    call.hangup();
    const bye = await callee.request('BYE');
    assert.equal((bye.message as SipRequest).uri, strict);
    callee.respond(bye, 200, 'OK');
    await recording.finished;
  });

  it('credentials refused (the same nonce challenged again): failed with 401 after one retry', async () => {
    await freshAgent({ auth: { user: 'alice', password: 'wrong' } });
    const { recording } = invite();
    const challenge = { name: 'WWW-Authenticate', value: 'Digest realm="r", nonce="n1", qop="auth"' };
    const first = await callee.newRequest('INVITE');
    callee.respond(first, 401, 'Unauthorized', { toTag: 'c', headers: [challenge] });
    const second = await callee.newRequest('INVITE');
    assert.match(headerValue(second.message, 'Authorization') ?? '', /^Digest username="alice"/);
    callee.respond(second, 401, 'Unauthorized', { toTag: 'c', headers: [challenge] });
    await recording.finished;
    await delay(3 * T1);
    assert.equal(recording.first('failed')?.code, 401);
    assert.equal(callee.distinct('INVITE'), 2);
  });

  it('a realm other than the configured one is not answered', async () => {
    await freshAgent({ auth: { user: 'alice', password: 'secret', realm: 'mine' } });
    const { recording } = invite();
    const inv = await callee.request('INVITE');
    callee.respond(inv, 407, 'Proxy Authentication Required', {
      toTag: 'c',
      headers: [{ name: 'Proxy-Authenticate', value: 'Digest realm="theirs", nonce="n1"' }],
    });
    await recording.finished;
    assert.equal(recording.first('failed')?.code, 407);
    assert.equal(callee.distinct('INVITE'), 1);
  });

  it('the trunk may be a host name', async () => {
    await freshAgent();
    await ua.close();
    ua = await createSipUserAgent({
      localAddress: '127.0.0.1',
      localPort: 0,
      trunk: { host: 'localhost', port: callee.port },
      userAgent: 'dgw-sip-test',
      timers: { t1Ms: T1 },
    });
    const { recording } = invite();
    const inv = await callee.request('INVITE');
    assert.equal((inv.message as SipRequest).uri, `sip:79001234567@localhost:${callee.port}`);
    callee.respond(inv, 404, 'Not Found', { toTag: 'c' });
    await recording.finished;
    assert.equal(recording.first('failed')?.code, 404);
  });

  it('close() ends what is still going: failed (code null) before the answer, ended after', async () => {
    await freshAgent();
    const ringing = invite();
    const answered = invite();
    const [a, b] = [await callee.newRequest('INVITE'), await callee.newRequest('INVITE')];
    const answeredInvite = [a, b].find((r) => headerValue(r.message, 'Call-ID') === answered.call.callId)!;
    callee.respond(answeredInvite, 200, 'OK', { toTag: 'x', headers: [callee.contact()], body: ANSWER });
    await waitFor(() => answered.recording.names().includes('answered'));
    await ua.close();
    assert.deepEqual(ringing.recording.first('failed'), { code: null, reason: 'the user agent was closed' });
    assert.deepEqual(answered.recording.first('ended'), { by: 'local' });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await delay(2);
  }
}
