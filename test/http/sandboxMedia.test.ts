import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CHANNELS } from '../../src/domain/channels.js';
import { flashcallCallerId } from '../../src/domain/callOutcomes.js';
import { parseVoicecodeText } from '../../src/domain/voicecodeTemplate.js';
import { MAGIC_NUMBERS } from '../../src/connectors/simulator/magicNumbers.js';
import { packetCount, PACKET_INTERVAL_MS, SAMPLES_PER_PACKET } from '../../src/media/rtpPacket.js';
import { ensureSandboxAccount, SANDBOX_TOKEN } from '../../src/sandbox.js';
import { createVoicecodeSpeech } from '../../src/voice/voicecodeSpeech.js';
import { call, CANONICAL_VOICECODE, startGateway, type TestGateway } from '../support/gateway.js';

/** The WAV's chunks, read by hand (not by the encoder's own decoder). */
function parseWav(wav: Buffer) {
  assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
  assert.equal(wav.readUInt32LE(4), wav.length - 8, 'RIFF size');
  assert.equal(wav.toString('ascii', 8, 12), 'WAVE');
  const chunks = new Map<string, Buffer>();
  for (let offset = 12; offset + 8 <= wav.length; ) {
    const size = wav.readUInt32LE(offset + 4);
    chunks.set(wav.toString('ascii', offset, offset + 4), wav.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size + (size & 1);
  }
  const fmt = chunks.get('fmt ');
  const data = chunks.get('data');
  assert.ok(fmt && data, `chunks ${[...chunks.keys()]}`);
  return {
    format: fmt.readUInt16LE(0),
    channels: fmt.readUInt16LE(2),
    sampleRate: fmt.readUInt32LE(4),
    byteRate: fmt.readUInt32LE(8),
    blockAlign: fmt.readUInt16LE(12),
    bitsPerSample: fmt.readUInt16LE(14),
    data,
  };
}

async function send(gateway: TestGateway, auth: string, item: object): Promise<string> {
  const response = await call(gateway, 'POST', '/api/v1/message', { auth, body: [item] });
  assert.equal(response.body?.items?.[0]?.code, 201, response.text);
  return response.body.items[0].messageUuid as string;
}

describe('sandbox media (GET /sandbox/…)', () => {
  let gateway: TestGateway;
  let auth: string;
  let other: string;
  let voicecodeUuid: string;
  let flashcallUuid: string;
  let smsUuid: string;

  before(async () => {
    gateway = await startGateway((config) => {
      config.sandbox = true;
    });
    await ensureSandboxAccount(gateway.store, gateway.clock.now());
    auth = `Basic ${SANDBOX_TOKEN}`;
    other = (await gateway.account('other')).auth;
    voicecodeUuid = await send(gateway, auth, CANONICAL_VOICECODE);
    flashcallUuid = await send(gateway, auth, { channelType: 'FLASHCALL', senderName: 'flashcall', destination: '79990001111', content: '4821' });
    smsUuid = await send(gateway, auth, { channelType: 'SMS', senderName: 'sms_promo', destination: '79990001111', content: 'hello' });
  });
  after(() => gateway?.close());

  describe('audio.wav', () => {
    it('is the audio the SIP path renders for the message: PCM 16-bit mono 8 kHz, as long as the call\'s RTP audio', async () => {
      const response = await fetch(`${gateway.url}/sandbox/messages/${voicecodeUuid}/audio.wav`, { headers: { authorization: auth } });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'audio/wav');
      const wav = Buffer.from(await response.arrayBuffer());
      assert.equal(response.headers.get('content-length'), String(wav.length));
      const info = parseWav(wav);
      assert.deepEqual(
        { format: info.format, channels: info.channels, sampleRate: info.sampleRate, byteRate: info.byteRate, blockAlign: info.blockAlign, bits: info.bitsPerSample },
        { format: 1, channels: 1, sampleRate: 8000, byteRate: 16000, blockAlign: 2, bits: 16 },
      );

      // What the SIP connector does (sipConnector.ts): a speech object from the `voice` settings, the template's parts.
      const { voice } = gateway.config;
      const speech = createVoicecodeSpeech({ voice: voice.voice, rate: voice.rate, repeat: voice.repeat });
      const rendered = await speech.render(parseVoicecodeText(CANONICAL_VOICECODE.content.text)!);
      // The RTP stream sends whole 20 ms packets of G.711 (one byte per sample): the call lasts packets × 20 ms.
      const callMs = packetCount(rendered.length) * PACKET_INTERVAL_MS;
      const wavMs = (info.data.length / info.blockAlign / info.sampleRate) * 1000;
      assert.equal(wavMs, callMs);
      assert.ok(callMs > 2000, `${callMs} ms`);
      // Sample for sample the rendering (clips are shared in one process), then silence up to the packet boundary.
      const samples = new Int16Array(info.data.buffer.slice(info.data.byteOffset, info.data.byteOffset + info.data.length));
      assert.deepEqual(samples.subarray(0, rendered.length), rendered);
      assert.ok(samples.subarray(rendered.length).every((s) => s === 0));
      assert.ok(samples.length - rendered.length < SAMPLES_PER_PACKET);
    });

    it('carries a weak ETag: If-None-Match → 304 without a body; another tag → 200', async () => {
      const url = `${gateway.url}/sandbox/messages/${voicecodeUuid}/audio.wav`;
      const first = await fetch(url, { headers: { authorization: auth } });
      await first.arrayBuffer();
      const tag = first.headers.get('etag');
      assert.match(tag ?? '', /^W\/"[^"]+"$/);
      assert.match(first.headers.get('cache-control') ?? '', /no-cache/);
      const again = await fetch(url, { headers: { authorization: auth, 'if-none-match': tag! } });
      assert.equal(again.status, 304);
      assert.equal(again.headers.get('etag'), tag);
      assert.equal((await again.arrayBuffer()).byteLength, 0);
      const strongForm = await fetch(url, { headers: { authorization: auth, 'if-none-match': `"x", ${tag!.slice(2)}` } });
      assert.equal(strongForm.status, 304, 'weak comparison');
      await strongForm.arrayBuffer();
      const uppercase = await fetch(url.replace(voicecodeUuid, voicecodeUuid.toUpperCase()), { headers: { authorization: auth, 'if-none-match': tag! } });
      assert.equal(uppercase.status, 304, 'the uuid in any case names the same audio');
      await uppercase.arrayBuffer();
      const otherTag = await fetch(url, { headers: { authorization: auth, 'if-none-match': 'W/"other"' } });
      assert.equal(otherTag.status, 200);
      await otherTag.arrayBuffer();
    });

    it('serves one byte range (a media element seeking), whole file otherwise', async () => {
      const url = `${gateway.url}/sandbox/messages/${voicecodeUuid}/audio.wav`;
      const whole = Buffer.from(await (await fetch(url, { headers: { authorization: auth } })).arrayBuffer());
      const partial = await fetch(url, { headers: { authorization: auth, range: 'bytes=40-99' } });
      assert.equal(partial.status, 206);
      assert.equal(partial.headers.get('content-range'), `bytes 40-99/${whole.length}`);
      assert.deepEqual(Buffer.from(await partial.arrayBuffer()), whole.subarray(40, 100));
      const open = await fetch(url, { headers: { authorization: auth, range: 'bytes=0-' } });
      assert.equal(open.status, 206);
      assert.equal((await open.arrayBuffer()).byteLength, whole.length);
      const past = await fetch(url, { headers: { authorization: auth, range: `bytes=${whole.length}-` } });
      assert.equal(past.status, 416);
      assert.equal(past.headers.get('content-range'), `bytes */${whole.length}`);
      await past.arrayBuffer();
      const ifRange = await fetch(url, { headers: { authorization: auth, range: 'bytes=0-9', 'if-range': 'W/"x"' } });
      assert.equal(ifRange.status, 200, 'a weak tag never matches If-Range');
      await ifRange.arrayBuffer();
    });

    it('404 in the envelope: another account\'s message, another channel, an unknown uuid', async () => {
      for (const [who, uuid] of [
        [other, voicecodeUuid],
        [auth, flashcallUuid],
        [auth, smsUuid],
        [auth, '0190a000-0000-7000-8000-000000000000'],
        [auth, 'not-a-uuid'],
      ] as const) {
        const response = await call(gateway, 'GET', `/sandbox/messages/${uuid}/audio.wav`, { auth: who });
        assert.equal(response.status, 404, `${uuid}: ${response.text}`);
        assert.deepEqual(response.body, { error: { code: 4040, msg: 'Not found' } });
      }
    });

    it('needs the API key', async () => {
      const response = await call(gateway, 'GET', `/sandbox/messages/${voicecodeUuid}/audio.wav`);
      assert.equal(response.status, 401);
      assert.equal(response.body.error.code, 4010);
    });
  });

  describe('caller-id', () => {
    it('is the caller ID the SIP connector presents: sip.flashcallNumberPattern with the code', async () => {
      const response = await call(gateway, 'GET', `/sandbox/messages/${flashcallUuid}/caller-id`, { auth });
      assert.equal(response.status, 200, response.text);
      const pattern = gateway.config.sip.flashcallNumberPattern;
      assert.deepEqual(response.body, { callerId: flashcallCallerId(pattern, '4821'), code: '4821', numberPattern: pattern });
      assert.equal(response.body.callerId, '74951234821');
    });

    it('null when no number of the pattern can end in the code (the call would be refused)', async () => {
      const { sip } = gateway.config;
      const saved = sip.flashcallNumberPattern;
      sip.flashcallNumberPattern = '7495XXXXXX';
      try {
        const response = await call(gateway, 'GET', `/sandbox/messages/${flashcallUuid}/caller-id`, { auth });
        assert.deepEqual(response.body, { callerId: null, code: '4821', numberPattern: '7495XXXXXX' });
      } finally {
        sip.flashcallNumberPattern = saved;
      }
    });

    it('404 for other channels and other accounts', async () => {
      for (const [who, uuid] of [
        [auth, voicecodeUuid],
        [auth, smsUuid],
        [other, flashcallUuid],
      ] as const) {
        const response = await call(gateway, 'GET', `/sandbox/messages/${uuid}/caller-id`, { auth: who });
        assert.equal(response.status, 404, response.text);
        assert.equal(response.body.error.code, 4040);
      }
    });
  });

  describe('magic-numbers', () => {
    /** The URL, headers and body of a curl command string, as a shell would read its single-quoted words. */
    function parseCurl(curl: string): { url: string; headers: Record<string, string>; body: string } {
      const words = [...curl.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replaceAll("'\\''", "'") : m[2]!));
      assert.deepEqual(words.slice(0, 2), ['curl', '-X']);
      assert.equal(words[2], 'POST');
      const headers: Record<string, string> = {};
      let body = '';
      for (let i = 4; i < words.length; i += 2) {
        if (words[i] === '-H') {
          const [name, ...value] = words[i + 1]!.split(':');
          headers[name!.toLowerCase()] = value.join(':').trim();
        } else if (words[i] === '-d') body = words[i + 1]!;
        else assert.fail(`unexpected word ${words[i]}`);
      }
      return { url: words[3]!, headers, body };
    }

    it('needs no key and lists every entry of MAGIC_NUMBERS with every channel', async () => {
      const response = await call(gateway, 'GET', '/sandbox/magic-numbers');
      assert.equal(response.status, 200, response.text);
      const table = response.body;
      assert.equal(table.origin, gateway.url);
      assert.deepEqual(
        table.numbers.map((n: { digits: string; description: string }) => [n.digits, n.description]),
        MAGIC_NUMBERS.map((m) => [m.digits, m.description]),
      );
      for (const row of table.numbers) {
        assert.ok(row.exampleDestination.endsWith(row.digits));
        assert.deepEqual(Object.keys(row.channels).sort(), [...CHANNELS].sort());
      }
      const read = table.numbers.find((n: { digits: string }) => n.digits === '2001');
      assert.equal(read.channels.WHATSAPP.outcome.then, 'read');
      assert.equal(read.channels.VK.outcome.then, 'read');
      assert.equal(read.channels.SMS.outcome.then, null);
      assert.match(read.channels.SMS.summary, /no read/);
      const click = table.numbers.find((n: { digits: string }) => n.digits === '2003');
      assert.ok(click.channels.SMS.events.some((e: { kind: string }) => e.kind === 'click'));
      assert.match(click.channels.FLASHCALL.summary, /no click/);
      const refused = table.numbers.find((n: { digits: string }) => n.digits === '1453');
      assert.deepEqual(refused.channels.SMS.outcome, { kind: 'refused', errorCode: 453 });
    });

    it('every entry\'s curl (a channel each, in turn) is accepted as written, and the simulator does what the entry says', async () => {
      const table = (await call(gateway, 'GET', '/sandbox/magic-numbers')).body;
      const rows = [...table.numbers, table.other];
      const sent: { uuid: string; outcome: { kind: string; errorCode?: number } }[] = [];
      for (const [i, row] of rows.entries()) {
        const channel = CHANNELS[i % CHANNELS.length]!;
        const { url, headers, body } = parseCurl(row.channels[channel].curl);
        assert.equal(url, `${gateway.url}/api/v1/message`);
        assert.deepEqual(JSON.parse(body), [row.channels[channel].item]);
        const response = await fetch(url, { method: 'POST', headers, body });
        const answer = (await response.json()) as { items: { code: number; messageUuid: string }[] };
        assert.equal(answer.items[0]?.code, 201, `${row.digits} on ${channel}: ${JSON.stringify(answer)}`);
        sent.push({ uuid: answer.items[0]!.messageUuid, outcome: row.channels[channel].outcome });
      }
      await gateway.settle();
      for (const { uuid, outcome } of sent) {
        const message = (await call(gateway, 'GET', `/api/v1/message/${uuid}`, { auth })).body;
        if (outcome.kind === 'refused') assert.deepEqual([message.status, message.errorCode], ['unsent', outcome.errorCode]);
        if (outcome.kind === 'undelivered') assert.deepEqual([message.status, message.errorCode], ['undelivered', outcome.errorCode]);
        if (outcome.kind === 'neverFinal') assert.equal(message.status, 'sent');
        if (outcome.kind === 'delivered') assert.ok(['delivered', 'read'].includes(message.status), message.status);
      }
    });
  });

  it('the routes are in the OpenAPI document under the tag Sandbox', async () => {
    const doc = (await call(gateway, 'GET', '/api/v1/openapi.json')).body;
    for (const path of ['/sandbox/messages/{messageUuid}/audio.wav', '/sandbox/messages/{messageUuid}/caller-id', '/sandbox/magic-numbers']) {
      assert.deepEqual(doc.paths[path]?.get?.tags, ['Sandbox'], path);
    }
    assert.ok(doc.paths['/sandbox/messages/{messageUuid}/audio.wav'].get.responses['200'].content['audio/wav']);
  });
});
