/** config/errors.ts: Ajv's errors as one problem per place, in the settings' words, with the key path. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { configErrorOf, ConfigError, dottedPath, pathsOverlap, problemsFromAjv } from '../../src/config/errors.js';
import { integer, oneOf, orNull, section } from '../../src/config/settingTypes.js';
import { compileSettings } from '../../src/config/validator.js';

const SCHEMA = Type.Object(
  {
    group: section({ size: integer({ minimum: 1, maximum: 9, default: 1, description: 'd' }), mode: oneOf(['a', 'b'] as const, { default: 'a', description: 'd' }) }, 'd'),
    rows: Type.Array(Type.Object({ name: Type.String({ errorMessage: 'must be a name' }), note: orNull(Type.String({ minLength: 1 }), { description: 'd' }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

function problems(value: unknown, base = '') {
  const validate = compileSettings(SCHEMA);
  assert.equal(validate(value), false);
  return problemsFromAjv(validate.errors ?? [], base);
}

test('paths: JSON pointers read as the README writes keys', () => {
  assert.equal(dottedPath(''), '');
  assert.equal(dottedPath('/smpp/smscs/0/name'), 'smpp.smscs[0].name');
  assert.equal(dottedPath('/a~1b/c~0d'), 'a/b.c~d');
  assert.equal(dottedPath('/window', 'smpp.smscs[2]'), 'smpp.smscs[2].window');
  assert.equal(dottedPath('', 'DGW_HTTP_PORT'), 'DGW_HTTP_PORT');
});

test('paths overlap when one lies inside the other, not when they only share a prefix', () => {
  assert.ok(pathsOverlap('sip', 'sip.codecs[0]'));
  assert.ok(pathsOverlap('smpp.smscs[1].port', 'smpp.smscs[1]'));
  assert.ok(pathsOverlap('prices.SMS', 'prices.SMS'));
  assert.ok(!pathsOverlap('prices.SMSS', 'prices.SMS'));
  assert.ok(!pathsOverlap('smpp.smscs[1]', 'smpp.smscs[10]'));
  assert.ok(pathsOverlap('', 'anything'), 'the top level holds everything');
});

test('every problem at once, each with its path and value; a union is one problem in its own words', () => {
  const found = problems({ group: { size: 10, mode: 'c', extra: 1 }, rows: [{ name: 5, note: '' }, { note: null }] });
  assert.deepEqual(
    found.map((p) => p.text),
    [
      'unknown key "group.extra" (keys: size, mode; see README "Settings")',
      'rows[1].name must be a name; it is missing',
      'group.size must be an integer from 1 to 9; got 10',
      'group.mode must be one of "a", "b"; got "c"',
      'rows[0].name must be a name; got 5',
      'rows[0].note must be null or a valid value; got ""',
    ],
    'unknown and missing keys first, then the rest in the schema\'s order',
  );
  assert.deepEqual(found.map((p) => p.path), ['group.extra', 'rows[1].name', 'group.size', 'group.mode', 'rows[0].name', 'rows[0].note']);
});

test('without an errorMessage, Ajv says it in the file\'s words; the top level is named', () => {
  assert.deepEqual(problems([]).map((p) => p.text), ['(top level) must be a JSON object; got []']);
  assert.deepEqual(problems({ rows: {} }).map((p) => p.text), ['rows must be a list; got {}']);
  assert.deepEqual(problems({ group: 'x', rows: [] }).map((p) => p.text), ['group must be a JSON object; got "x"']);
});

test('a ConfigError lists the file\'s problems under its name, then those of env variables and flags', () => {
  const error = configErrorOf([{ path: 'http.port', text: 'http.port must be a port number 0..65535; got 70000' }], [{ path: '--db', text: '--db must be a non-empty string; got ""' }], 'gw.json');
  assert.ok(error instanceof ConfigError);
  assert.equal(error.message, 'config file gw.json: http.port must be a port number 0..65535; got 70000\n--db must be a non-empty string; got ""');
});
