/** Links in a text and the redirect's Location (spec §5.11; issue 10 item 2). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_SHORT_LINKS, linksIn, locationOf, shortenLinks } from '../../src/domain/shortLinks.js';

describe('linksIn: where a link ends', () => {
  test('a control character U+0000-U+001F, DEL or a space ends it', () => {
    const stops = [...Array.from({ length: 0x20 }, (_, c) => String.fromCharCode(c)), '\u007f', ' '];
    for (const stop of stops) {
      assert.deepEqual(linksIn(`a http://x.example/p${stop}q`), [{ url: 'http://x.example/p', index: 2 }], JSON.stringify(stop));
    }
  });
  test('a link made only of its scheme and a control character is no link', () => {
    assert.deepEqual(linksIn('http://\u0001x'), []);
  });
  test('non-ASCII characters belong to the link; trailing punctuation does not', () => {
    assert.deepEqual(linksIn('see https://x.example/путь?q=ü😀.'), [{ url: 'https://x.example/путь?q=ü😀', index: 4 }]);
  });
  test('shortenLinks keeps the character that ended a link in the text', () => {
    const { text, links } = shortenLinks('go http://x.example/\u0001 now', 'https://s.example/s', () => 'abc');
    assert.equal(text, 'go https://s.example/s/abc\u0001 now');
    assert.deepEqual(links, [{ slug: 'abc', shortUrl: 'https://s.example/s/abc', url: 'http://x.example/' }]);
  });
  test('the cap is 20', () => assert.equal(MAX_SHORT_LINKS, 20));
});

describe('locationOf: the Location header value', () => {
  test('ASCII URLs unchanged, percent escapes kept', () => {
    assert.equal(locationOf('https://x.example/a%20b?c=d&e=%2F#f'), 'https://x.example/a%20b?c=d&e=%2F#f');
  });
  test('every non-ASCII character percent-encoded as UTF-8, upper-case hex', () => {
    assert.equal(locationOf('http://x.example/путь?q=ü&e=😀'), 'http://x.example/%D0%BF%D1%83%D1%82%D1%8C?q=%C3%BC&e=%F0%9F%98%80');
    assert.equal(locationOf('http://x.example/\u0080\u00ff'), 'http://x.example/%C2%80%C3%BF');
  });
  test('a link stored before control characters ended links still gives a header Node can send', () => {
    assert.equal(locationOf('http://x.example/\u0001\u007f a'), 'http://x.example/%01%7F%20a');
    // A lone surrogate (stored before §2.1 refused them) is sent as U+FFFD's bytes rather than throwing.
    assert.equal(locationOf('http://x.example/\ud800'), 'http://x.example/%EF%BF%BD');
  });
});
