/**
 * The texts of submits (smpp-interface.md §3) over real TCP, written octet by octet here: GSM 03.38 with its
 * extension table (0x1B escapes, one septet per octet), Latin-1, UCS-2 with Cyrillic and surrogate pairs, and
 * message_payload for a long text. Each reaches GET /message as exactly the text sent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SMPP_STATUS } from '../../src/domain/smppRules.js';
import { DoorClient, receiptFields } from '../support/smppDoorClient.js';
import { SENDER, startDoorGateway, type DoorGateway } from '../support/smppDoorGateway.js';
import { delay, getMessage, ucs2 } from '../support/smppDoorPdus.js';

/** GSM 03.38 by hand: the characters these tests use (basic table and the extension table after 0x1B). */
const GSM_BASIC_SAME_AS_ASCII = /^[A-Za-z0-9 !"#%&'()*+,\-./:;<=>?]$/;
const GSM_BASIC: Record<string, number> = { '@': 0x00, '£': 0x01, $: 0x02, é: 0x05, _: 0x11, ß: 0x1e, Ä: 0x5b, ä: 0x7b, ü: 0x7e, '\n': 0x0a };
const GSM_EXTENSION: Record<string, number> = { '€': 0x65, '[': 0x3c, ']': 0x3e, '{': 0x28, '}': 0x29, '^': 0x14, '~': 0x3d, '|': 0x40, '\\': 0x2f };

function gsmOctets(text: string): Buffer {
  const out: number[] = [];
  for (const char of text) {
    if (GSM_BASIC_SAME_AS_ASCII.test(char)) out.push(char.charCodeAt(0));
    else if (char in GSM_BASIC) out.push(GSM_BASIC[char]!);
    else if (char in GSM_EXTENSION) out.push(0x1b, GSM_EXTENSION[char]!);
    else throw new Error(`no GSM code for ${JSON.stringify(char)} in this test's table`);
  }
  return Buffer.from(out);
}

describe('SMPP door: text encodings', () => {
  let door: DoorGateway;
  let client: DoorClient;
  before(async () => {
    door = await startDoorGateway();
    const user = await door.user();
    client = await DoorClient.connect(door.door.port);
    assert.equal(await client.bind(user.systemId, user.password), 0);
  });
  after(async () => {
    await client.close();
    await door.close();
  });

  async function contentOf(fields: Record<string, unknown>): Promise<unknown> {
    const { status, messageId } = await client.submit({ source_addr: SENDER, destination_addr: '79995550001', ...fields });
    assert.equal(status, 0, JSON.stringify(fields.data_coding));
    return (await getMessage(door, messageId)).body.content;
  }

  it('GSM 03.38 (data_coding 0) with every extension character: 0x1B escapes, one septet per octet', async () => {
    const text = 'Price 5€ [a] {b} ^c~ d|e \\f';
    const octets = gsmOctets(text);
    // 9 extension characters, two octets each: the octets are unpacked septets, none above 0x7F.
    assert.equal(octets.length, [...text].length + 9);
    assert.ok(octets.every((o) => o <= 0x7f));
    assert.equal(await contentOf({ data_coding: 0, short_message: octets }), text);
  });

  it('GSM 03.38 basic characters that are not ASCII (@ £ $ _ é ß Ä ä ü, a newline)', async () => {
    const text = '@home £5 $3 a_b é ß Ä ä ü\nnext';
    assert.equal(await contentOf({ data_coding: 0, short_message: gsmOctets(text) }), text);
  });

  it('Latin-1 (data_coding 3) with é, ü, ß and the rest of the upper half', async () => {
    const text = 'Grüße aus Köln, café, naïve, ÿ ¿¡ © ½ Æ';
    const octets = Buffer.from(text, 'latin1');
    assert.equal(octets.length, text.length);
    assert.equal(await contentOf({ data_coding: 3, short_message: octets }), text);
  });

  it('UCS-2 (data_coding 8) with Cyrillic and surrogate pairs (emoji)', async () => {
    const text = 'Привет, мир! Ёлка 😀 👍🏽 𝄞 ok';
    const octets = ucs2(text);
    assert.equal(octets.length, text.length * 2);
    assert.equal(await contentOf({ data_coding: 8, short_message: octets }), text);
  });

  it('IA5 (data_coding 1): plain ASCII as sent', async () => {
    const text = 'ASCII [x] {y} ~z| \\ ^ @ $ _ `';
    assert.equal(await contentOf({ data_coding: 1, short_message: Buffer.from(text, 'ascii') }), text);
  });

  it('message_payload (0x0424) carries a text longer than a short_message, in GSM and in UCS-2', async () => {
    const gsmText = Array.from({ length: 60 }, (_, i) => `line ${String(i).padStart(2, '0')} €`).join(' ');
    assert.ok(gsmOctets(gsmText).length > 254);
    assert.equal(await contentOf({ data_coding: 0, short_message: Buffer.alloc(0), message_payload: gsmOctets(gsmText) }), gsmText);

    const ucsText = 'Длинное сообщение 😀 '.repeat(30).trimEnd();
    assert.ok(ucs2(ucsText).length > 254);
    assert.equal(await contentOf({ data_coding: 8, message_payload: ucs2(ucsText) }), ucsText);

    // The longest SMS text (2048 characters) goes through; one more is refused.
    const longest = 'a'.repeat(2048);
    assert.equal(await contentOf({ data_coding: 1, message_payload: Buffer.from(longest, 'ascii') }), longest);
    const tooLong = await client.submit({ source_addr: SENDER, destination_addr: '79995550001', data_coding: 1, message_payload: Buffer.from('a'.repeat(2049)) });
    assert.notEqual(tooLong.status, 0);
  });

  it('a receipt of a UCS-2 message is plain ASCII: text: is its first 20 characters, each outside printable ASCII a "."', async () => {
    const rows: [string, string][] = [
      ['Привет, мир! Как дела сегодня?', '......, ...! ... ...'],
      ['Ok 😀 done and more text here', 'Ok . done and more t'],
      // Printable ASCII on which GSM 03.38 differs ([ ] { } @ $ _ ...) is left out: the receipt is ASCII octets under
      // data_coding 0, which the library (like any client) reads as GSM 03.38 ('[' 0x5B would read as 'Ä').
      ['Grüße € (x) 100%', 'Gr..e . (x) 100%'],
    ];
    for (const [text, shown] of rows) {
      const { status, messageId } = await client.submit({ source_addr: SENDER, destination_addr: '79995556789', registered_delivery: 1, data_coding: 8, short_message: ucs2(text) });
      assert.equal(status, 0);
      let receipt;
      for (let i = 0; i < 200 && !receipt; i++) {
        await door.gateway.settle();
        receipt = client.delivers.find((d) => d.receipted_message_id === messageId);
        if (!receipt) await delay(50);
      }
      assert.ok(receipt, `the receipt of ${text}`);
      assert.equal(receipt.data_coding, 0);
      assert.equal(receiptFields(receipt).stat, 'DELIVRD');
      const short = receipt.short_message as { message?: unknown } | Buffer;
      const whole = Buffer.isBuffer(short) ? short.toString('latin1') : String(short.message);
      assert.ok(/^[\x20-\x7e]*$/.test(whole), whole);
      assert.equal(whole.slice(whole.indexOf(' text:') + 6), shown, text);
    }
  });

  it('text in both short_message and message_payload is ESME_RSUBMITFAIL (0x45)', async () => {
    const both = await client.submit({ source_addr: SENDER, destination_addr: '79995550001', data_coding: 1, short_message: Buffer.from('one'), message_payload: Buffer.from('two') });
    assert.equal(both.status, SMPP_STATUS.submitFailed);
  });
});
