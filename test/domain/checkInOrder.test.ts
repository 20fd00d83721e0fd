/** domain/checkInOrder.ts: a request part checked property by property in its schema's order (issue 11 item 3). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { compileInOrder } from '../../src/domain/checkInOrder.js';

const body = compileInOrder(
  Type.Object({
    first: Type.String({ minLength: 1 }),
    second: Type.Integer(),
    third: Type.Optional(Type.Union([Type.Null(), Type.String({ maxLength: 2 })])),
  }),
);

describe('bodies', () => {
  it('a valid object comes back as it is, unknown fields and all', () => {
    const data = { first: 'a', second: 1, extra: [1] };
    assert.deepEqual(body(data), { ok: true, value: data });
    assert.equal((body(data) as { value: unknown }).value, data);
  });

  it('not an object → the part as a whole (field null)', () => {
    for (const data of [null, undefined, [], 'x', 1, true]) assert.deepEqual(body(data), { ok: false, field: null }, JSON.stringify(data));
  });

  it('the first failing property in the schema order, whether missing or invalid', () => {
    assert.deepEqual(body({ second: 'x' }), { ok: false, field: 'first' });
    assert.deepEqual(body({ first: 1 }), { ok: false, field: 'first' });
    assert.deepEqual(body({ first: 'a', third: 'xyz' }), { ok: false, field: 'second' });
    assert.deepEqual(body({ first: 'a', second: 1.5 }), { ok: false, field: 'second' });
    assert.deepEqual(body({ first: 'a', second: 2, third: 'xyz' }), { ok: false, field: 'third' });
  });

  it('no coercion: "1" is no integer, 1 no string', () => {
    assert.deepEqual(body({ first: 'a', second: '1' }), { ok: false, field: 'second' });
    assert.deepEqual(body({ first: 1, second: 1 }), { ok: false, field: 'first' });
  });

  it('only own properties count: a JSON "__proto__" key supplies nothing', () => {
    assert.deepEqual(body(JSON.parse('{"__proto__":{"first":"a","second":1}}')), { ok: false, field: 'first' });
  });

  it('formats: uuid in any case', () => {
    const params = compileInOrder(Type.Object({ id: Type.String({ format: 'uuid' }) }));
    assert.equal(params({ id: '01900000-0000-7000-8000-00000000000A' }).ok, true);
    assert.deepEqual(params({ id: '01900000-0000-7000-8000-00000000000' }), { ok: false, field: 'id' });
  });
});

describe('repeated values (a query string, spec §2.5)', () => {
  const query = compileInOrder(
    Type.Object({
      size: Type.Optional(Type.String({ pattern: '^[1-9]$', default: '5' })),
      count: Type.Optional(Type.String({ pattern: '^[1-9]$', default: '2', 'x-maxProductWith': { property: 'size', max: 20 } })),
      tag: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z]+$' }))),
      note: Type.Optional(Type.String()),
    }),
    { repeated: true },
  );

  it('a single parameter takes its last value, an absent one its default; unknown keys are dropped', () => {
    assert.deepEqual(query({ size: ['x', '3'], other: ['1'] }), { ok: true, value: { size: '3', count: '2' } });
    assert.deepEqual(query({}), { ok: true, value: { size: '5', count: '2' } });
    assert.deepEqual(query({ size: [] }), { ok: true, value: { size: '5', count: '2' } });
  });

  it('an array parameter keeps every value, each checked', () => {
    assert.deepEqual(query({ tag: ['a', 'b'] }), { ok: true, value: { size: '5', count: '2', tag: ['a', 'b'] } });
    assert.deepEqual(query({ tag: ['a', 'B'] }), { ok: false, field: 'tag' });
  });

  it('every value, not only the last, must be storable text (§2.1)', () => {
    assert.deepEqual(query({ note: ['\u0000', 'x'] }), { ok: false, field: 'note' });
    assert.deepEqual(query({ size: ['\u0000', '3'] }), { ok: false, field: 'size' });
  });

  it("x-maxProductWith: checked with the other property's value (given or default), in order", () => {
    assert.deepEqual(query({ size: ['9'], count: ['2'] }), { ok: true, value: { size: '9', count: '2' } });
    assert.deepEqual(query({ size: ['9'], count: ['3'] }), { ok: false, field: 'count' });
    assert.deepEqual(query({ count: ['5'] }), { ok: false, field: 'count' }, '5 × the default 5');
    assert.deepEqual(query({ size: ['9'], count: ['3'], tag: ['X'] }), { ok: false, field: 'count' }, 'count comes before tag');
    assert.deepEqual(query({ size: ['0'], count: ['9'] }), { ok: false, field: 'size' });
  });

  it('prototype names are keys like any other', () => {
    const values = Object.assign(Object.create(null), { constructor: ['1'], __proto__: ['2'] });
    assert.deepEqual(query(values), { ok: true, value: { size: '5', count: '2' } });
  });
});

it('only object schemas are taken', () => {
  assert.throws(() => compileInOrder(Type.Array(Type.String()) as never));
});
