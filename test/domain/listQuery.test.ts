/** domain/listQuery.ts: the one list of GET /api/v1/message's parameters (spec §8.1), checked and read. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { listQuerySchema, parseListQuery, readListQuery } from '../../src/domain/listQuery.js';
import { parseTimestamp } from '../../src/domain/timestamp.js';

const parsed = (values: Record<string, string[]>) => {
  const result = parseListQuery(values);
  assert.ok(result.ok, JSON.stringify(result));
  return result;
};

describe('parseListQuery', () => {
  it('defaults: page 1 of 100, newest first, outbound, no filter', () => {
    const { filter, page } = parsed({});
    assert.deepEqual(page, { sort: '-created_time', offset: 0, limit: 100 });
    assert.deepEqual(filter.direction, ['outbound']);
    assert.equal(filter.matchesNothing, false);
    assert.equal(filter.timeFrom, null);
  });

  it('names the first invalid parameter', () => {
    assert.deepEqual(parseListQuery({ page: ['0'] }), { ok: false, parameter: 'page' });
    assert.deepEqual(parseListQuery({ page: ['101'] }), { ok: false, parameter: 'per_page' });
    assert.deepEqual(parseListQuery({ sort: ['up'], channel_type: ['FAX'] }), { ok: false, parameter: 'sort' });
    assert.deepEqual(parseListQuery({ channel_type: ['FAX'], ready_to_stop: ['yes'] }), { ok: false, parameter: 'channel_type' });
  });

  it('reads values: paging, normalized numbers and codes, lowercase uuids, booleans', () => {
    const { filter, page } = parsed({
      page: ['3'],
      per_page: ['20'],
      sort: ['created_time'],
      destination: ['+79261234567'],
      country_code: ['ru'],
      traffic_center_id: ['007'],
      message_uuid: ['01900000-0000-7000-8000-00000000000A'],
      ready_to_stop: ['false'],
    });
    assert.deepEqual(page, { sort: 'created_time', offset: 40, limit: 20 });
    assert.deepEqual(filter.destinations, ['79261234567']);
    assert.deepEqual(filter.countryCodes, ['RU']);
    assert.deepEqual(filter.trafficCenterIds, [7]);
    assert.deepEqual(filter.messageUuids, ['01900000-0000-7000-8000-00000000000a']);
    assert.equal(filter.readyToStop, false);
    assert.equal(filter.matchesNothing, false);
  });

  it('v1 filters that match nothing, and an empty time window', () => {
    const nothing: Record<string, string[]>[] = [{ template_id: ['1'] }, { dispatch_id: ['1'] }, { dispatch: ['true'] }, { root: ['false'] }, { cascade_message_uuid: ['x'] }, { message_uuid: ['nope'] }];
    for (const values of nothing) {
      assert.equal(parsed(values).filter.matchesNothing, true, JSON.stringify(values));
    }
    const window = parsed({ time_from: ['2026-01-01T00:00:01Z'], time_to: ['2026-01-01T00:00:00Z'] });
    assert.equal(window.filter.matchesNothing, true);
    assert.equal(window.filter.timeFrom, parseTimestamp('2026-01-01T00:00:01Z'));
  });
});

describe('listQuerySchema', () => {
  it('lists the parameters of §8.1, once', () => {
    const names = Object.keys(listQuerySchema.properties);
    assert.equal(new Set(names).size, names.length);
    assert.equal(names.length, 24);
    assert.deepEqual(names.slice(0, 3), ['page', 'per_page', 'sort']);
  });

  it('readListQuery takes a query built by hand: absent defaults read from the schema', () => {
    assert.deepEqual(readListQuery({}).page, { sort: '-created_time', offset: 0, limit: 100 });
  });
});

describe('parseTimestamp (§2.2)', () => {
  it('RFC 3339 instants that exist; a fraction finer than a millisecond rounds up', () => {
    assert.equal(parseTimestamp('2026-01-01T00:00:00Z'), Date.UTC(2026, 0, 1));
    assert.equal(parseTimestamp('2026-01-01T03:00:00+03:00'), Date.UTC(2026, 0, 1));
    assert.equal(parseTimestamp('2026-01-01t00:00:00.0001z'), Date.UTC(2026, 0, 1) + 1);
    for (const bad of ['2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T00:00:00', '2026-01-01', '1714557609']) {
      assert.equal(parseTimestamp(bad), null, bad);
    }
  });
});
