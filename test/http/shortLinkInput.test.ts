/**
 * Issue 10 items 2 and 3(a), spec §5.11, over real HTTP on SQLite and PostgreSQL: a control character or a space ends
 * a link (a link holding one used to redirect with a 500 after the click was recorded), the `Location` is the original
 * URL with every non-ASCII character percent-encoded as UTF-8 (it used to go out as raw latin-1 bytes), and with
 * `shortUrl: true` an item's text holds at most 20 links (1000 items of 204 links used to create 204,000 rows).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { before, describe, it } from 'node:test';
import { call, type TestGateway } from '../support/gateway.js';
import { describeOnEachStore } from '../support/eachStore.js';
import { APPROVED_SENDERS, countMessages, send, sendOk, sms, vk, whatsapp } from '../support/http.js';

/** The whole answer to a GET, as the bytes on the wire. */
function rawGet(url: string): Promise<Buffer> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      // write, not end: a half-closed socket may be dropped before a slower store answers; the server closes it.
      socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`);
    });
    const parts: Buffer[] = [];
    socket.on('data', (part: Buffer) => parts.push(part));
    socket.on('end', () => resolve(Buffer.concat(parts)));
    socket.on('error', reject);
  });
}

/** The status line and the header lines of a raw answer; every byte of them must be ASCII. */
function headBlock(answer: Buffer): { statusLine: string; headers: Map<string, string> } {
  const end = answer.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no header block in ${JSON.stringify(answer.toString('latin1'))}`);
  const head = answer.subarray(0, end);
  const outside = [...head].filter((byte) => byte > 0x7e || (byte < 0x20 && byte !== 0x0d && byte !== 0x0a));
  assert.deepEqual(outside, [], 'the header block is printable ASCII');
  const [statusLine, ...lines] = head.toString('ascii').split('\r\n');
  const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { statusLine: statusLine!, headers };
}

describeOnEachStore('short link input', 'dgw_short_link_input', (ctx) => {
  let gateway: TestGateway;
  let auth: string;
  before(async () => {
    ({ gateway, auth } = ctx);
  });

  const base = () => `${gateway.url}/s/`;
  /** Sends one VK text with shortUrl and returns its uuid and stored content. */
  async function shortened(text: string): Promise<{ uuid: string; content: string }> {
    const [uuid] = await sendOk(gateway, auth, [vk({ content: text, shortUrl: true })]);
    const message = await call(gateway, 'GET', `/api/v1/message/${uuid}`, { auth });
    return { uuid: uuid!, content: message.body.content as string };
  }
  const shortUrlsIn = (content: string) => content.match(new RegExp(`${base().replace(/[.]/g, '\\.')}[A-Za-z0-9_-]+`, 'g')) ?? [];
  async function clicks(uuid: string): Promise<string[]> {
    const events = await call(gateway, 'GET', `/api/v1/message/${uuid}/events`, { auth });
    return (events.body as { kind: string; detail: { url: string } }[]).filter((e) => e.kind === 'click').map((e) => e.detail.url);
  }

  describe('a control character or a space ends a link (item 2)', () => {
    it('http://x.example/\\u0001: the link is http://x.example/, the redirect is 302 Found with a clean Location', async () => {
      const { uuid, content } = await shortened('see http://x.example/\u0001 ok');
      const [shortUrl] = shortUrlsIn(content);
      assert.ok(shortUrl, content);
      assert.equal(content, `see ${shortUrl}\u0001 ok`, 'the control character stays in the text, after the short link');
      const { statusLine, headers } = headBlock(await rawGet(shortUrl));
      assert.equal(statusLine, 'HTTP/1.1 302 Found');
      assert.equal(headers.get('location'), 'http://x.example/');
      assert.deepEqual(await clicks(uuid), ['http://x.example/'], 'one click, with the link as it ends');
    });

    it('every control character, DEL and a space end it: the rest is text', async () => {
      for (const stop of ['\u0002', '\t', '\n', '\r', '\u001b', '\u001f', '\u007f', ' ']) {
        const { content } = await shortened(`http://x.example/path${stop}tail`);
        const [shortUrl] = shortUrlsIn(content);
        assert.equal(content, `${shortUrl}${stop}tail`, JSON.stringify(stop));
        const { statusLine, headers } = headBlock(await rawGet(shortUrl!));
        assert.equal(statusLine, 'HTTP/1.1 302 Found', JSON.stringify(stop));
        assert.equal(headers.get('location'), 'http://x.example/path', JSON.stringify(stop));
      }
    });
  });

  describe('Location: the original URL with non-ASCII characters percent-encoded as UTF-8 (item 2)', () => {
    it('Cyrillic path, Latin-1 and astral characters in the query; existing escapes kept', async () => {
      const original = 'http://x.example/путь/a%20b?q=ü&e=😀';
      const { uuid, content } = await shortened(`Open ${original}`);
      const [shortUrl] = shortUrlsIn(content);
      const { statusLine, headers } = headBlock(await rawGet(shortUrl!));
      assert.equal(statusLine, 'HTTP/1.1 302 Found');
      assert.equal(headers.get('location'), 'http://x.example/%D0%BF%D1%83%D1%82%D1%8C/a%20b?q=%C3%BC&e=%F0%9F%98%80');
      assert.deepEqual(await clicks(uuid), [original], 'the click carries the original URL');
    });

    it('an ASCII URL goes out unchanged', async () => {
      const original = 'https://x.example/a/b?c=d&e=%2F#frag';
      const { content } = await shortened(original);
      const { headers } = headBlock(await rawGet(shortUrlsIn(content)[0]!));
      assert.equal(headers.get('location'), original);
    });
  });

  describe('at most 20 links per item with shortUrl: true (item 3a)', () => {
    const links = (n: number) => Array.from({ length: n }, (_, i) => `http://x.example/${i}`).join(' ');

    it('21 links → 422 Invalid content, on the content field as other content errors are; 20 are accepted and all shortened', async () => {
      for (const item of [sms({ content: links(21), shortUrl: true }), vk({ content: links(21), shortUrl: true })]) {
        const response = await send(gateway, auth, [item]);
        assert.equal(response.status, 422, response.text);
        assert.equal(response.body.error.code, 4220);
        assert.equal(response.body.error.msg, 'Invalid content');
        assert.deepEqual(response.body.error.details, [{ index: 0, field: 'content', msg: 'must hold at most 20 links when shortUrl is true' }]);
      }
      const { content } = await shortened(links(20));
      assert.equal(shortUrlsIn(content).length, 20);
      assert.doesNotMatch(content, /x\.example/);
    });

    it('WHATSAPP text: the failure is on content.text; template parameters are not links to shorten', async () => {
      const text = (n: number) => whatsapp({ shortUrl: true, content: { contentType: 'text', text: links(n) } });
      const response = await send(gateway, auth, [text(21)]);
      assert.equal(response.status, 422);
      assert.deepEqual(response.body.error.details, [{ index: 0, field: 'content.text', msg: 'must hold at most 20 links when shortUrl is true' }]);
      const parameters = Array.from({ length: 20 }, () => links(2));
      await sendOk(gateway, auth, [
        text(20),
        whatsapp({ shortUrl: true, content: { contentType: 'template', templateId: 't', language: 'en', parameters } }),
      ]);
    });

    it('without shortUrl the text may hold any number of links', async () => {
      await sendOk(gateway, auth, [sms({ content: links(100) }), vk({ content: links(100), shortUrl: false })]);
    });

    it('the issue\'s batch, 1000 SMS of 204 links each (2 MiB), is refused whole: nothing created, details capped at 100', async () => {
      const before = await countMessages(gateway, auth);
      const many = 'http://ab '.repeat(204).trimEnd();
      assert.ok(many.length <= 2048);
      const response = await send(gateway, auth, Array.from({ length: 1000 }, () => sms({ content: many, shortUrl: true })));
      assert.equal(response.status, 422);
      assert.equal(response.body.error.msg, 'Invalid content');
      assert.equal(response.body.error.details.length, 100);
      assert.equal(await countMessages(gateway, auth), before);
    });
  });
}, { account: { senders: APPROVED_SENDERS, billing: false } });
