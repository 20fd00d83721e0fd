/** http/validatorCompiler.ts, validationError.ts and repeatedQuery.ts on their own (issue 11 item 3). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { ApiError } from '../../src/http/apiError.js';
import { repeatedQuery } from '../../src/http/repeatedQuery.js';
import { schemaFailure } from '../../src/http/validationError.js';
import { documentOnly, validatorCompiler } from '../../src/http/validatorCompiler.js';

const schema = Type.Object({ id: Type.String({ format: 'uuid' }), n: Type.Optional(Type.Array(Type.String())) });
const compile = (httpPart: string) => validatorCompiler({ schema, httpPart, method: 'GET', url: '/x' }) as (data: unknown) => { value?: unknown; error?: ApiError };

describe('validatorCompiler', () => {
  it('a body or params that pass come back as they are', () => {
    const data = { id: '01900000-0000-7000-8000-000000000000', other: 1 };
    assert.equal(compile('body')(data).value, data);
    assert.equal(compile('params')(data).value, data);
  });

  it('params that fail → 404 4040; a body → 422 4220 Invalid <field>, or Invalid request', () => {
    assert.deepEqual(compile('params')({ id: 'x' }).error?.body(), { error: { code: 4040, msg: 'Not found' } });
    assert.deepEqual(compile('body')({ id: 'x' }).error?.body(), { error: { code: 4220, msg: 'Invalid id' } });
    assert.deepEqual(compile('body')([]).error?.body(), { error: { code: 4220, msg: 'Invalid request' } });
    assert.equal(compile('body')(null).error?.status, 422);
  });

  it('a querystring is repeated values: single parameters leave with their last value', () => {
    const checked = compile('querystring')({ id: ['x', '01900000-0000-7000-8000-000000000000'], n: ['1', '2'], other: ['z'] });
    assert.deepEqual(checked.value, { id: '01900000-0000-7000-8000-000000000000', n: ['1', '2'] });
    assert.deepEqual(compile('querystring')({ n: ['1'] }).error?.body(), { error: { code: 4220, msg: 'Invalid id' } });
  });

  it('documentOnly passes anything', () => {
    assert.equal(documentOnly()(), true);
  });
});

describe('schemaFailure: the one formatter', () => {
  it('maps part and field to the spec envelope (§3.3, §3.4)', () => {
    assert.deepEqual(schemaFailure('params', 'messageUuid').body(), { error: { code: 4040, msg: 'Not found' } });
    assert.equal(schemaFailure('params', null).status, 404);
    assert.deepEqual(schemaFailure('querystring', 'per_page').body(), { error: { code: 4220, msg: 'Invalid per_page' } });
    assert.deepEqual(schemaFailure('body', 'uuids').body(), { error: { code: 4220, msg: 'Invalid uuids' } });
    assert.deepEqual(schemaFailure('body', null).body(), { error: { code: 4220, msg: 'Invalid request' } });
  });
});

describe('repeatedQuery (§2.5)', () => {
  it('every key with its values in order, from the raw target up to a second ?', () => {
    const values = repeatedQuery('/api/v1/message?status=sent&status=&page=2&x?page=3');
    assert.deepEqual({ ...values }, { status: ['sent', ''], page: ['2'], x: [''] });
    assert.deepEqual({ ...repeatedQuery('/api/v1/message') }, {});
    assert.deepEqual({ ...repeatedQuery(undefined) }, {});
  });

  it('has no prototype: constructor and __proto__ are keys', () => {
    const values = repeatedQuery('/x?constructor=1&__proto__=2&toString');
    assert.equal(Object.getPrototypeOf(values), null);
    assert.deepEqual(values.constructor, ['1']);
    assert.deepEqual(values['__proto__'], ['2']);
    assert.deepEqual(values.toString, ['']);
  });
});
