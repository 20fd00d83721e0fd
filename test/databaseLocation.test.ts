import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactDatabasePassword } from '../src/store/databaseLocation.js';

test('a database URL is shown without its password; file paths and URLs without one are unchanged', () => {
  assert.equal(redactDatabasePassword('postgres://gw:s3cr@t@db.example:5432/gw'), 'postgres://gw:***@db.example:5432/gw');
  assert.equal(redactDatabasePassword('postgresql://gw:x@db/gw'), 'postgresql://gw:***@db/gw');
  assert.equal(redactDatabasePassword('postgres://gw@db/gw'), 'postgres://gw@db/gw');
  assert.equal(redactDatabasePassword('./data/gateway.db'), './data/gateway.db');
});
