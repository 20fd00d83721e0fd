/** The WhatsApp rules of the domain: error codes (spec §13), statuses (§7), prices, templates and the window (§6.4). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failedStatusCode, pairLimitBackoffMs, sendErrorOutcome } from '../../src/domain/whatsappOutcomes.js';
import { pricingCategoryOf, whatsappPrice, type WhatsAppPriceTable } from '../../src/domain/whatsappPrices.js';
import { reportOfStatus } from '../../src/domain/whatsappStatus.js';
import { checkTemplate, countBodyParameters, type WhatsAppTemplate } from '../../src/domain/whatsappTemplates.js';
import { CUSTOMER_SERVICE_WINDOW_MS, isWindowOpen } from '../../src/domain/whatsappWindow.js';

test('send errors: each code row of the outcome table', () => {
  const unsent = (errorCode: number, pauseSender = false) => ({ kind: 'unsent', errorCode, pauseSender });
  const rows: [number | null, number | null, unknown][] = [
    [131047, 400, unsent(610)],
    [470, 400, unsent(610)],
    ...[132000, 132001, 132012, 132015].map((c): [number, number, unknown] => [c, 400, unsent(611)]),
    [131026, 400, { kind: 'undelivered', errorCode: 612 }],
    [131049, 400, unsent(613)],
    [131050, 400, unsent(613)],
    [130497, 403, { kind: 'undelivered', errorCode: 615 }],
    ...[0, 3, 10, 190, 200, 250, 299, 368, 131031].map((c): [number, number, unknown] => [c, 400, unsent(614, true)]),
    [131056, 400, { kind: 'retry', pairLimit: true }],
    ...[130429, 131057, 4, 80007, 131000].map((c): [number, number, unknown] => [c, 400, { kind: 'retry', pairLimit: false }]),
    [null, 500, { kind: 'retry', pairLimit: false }],
    [999999, 503, { kind: 'retry', pairLimit: false }],
    [null, 429, { kind: 'retry', pairLimit: false }],
    [null, null, { kind: 'retry', pairLimit: false }],
    [999999, 400, unsent(614)],
    [null, 404, unsent(614)],
  ];
  for (const [code, http, outcome] of rows) assert.deepEqual(sendErrorOutcome(code, http), outcome, `code ${code}, HTTP ${http}`);
});

test('a failed status: the first error with a known meaning gives the code, else null', () => {
  assert.equal(failedStatusCode([131026]), 612);
  assert.equal(failedStatusCode([131000, 131049]), 613);
  assert.equal(failedStatusCode([130497]), 615);
  assert.equal(failedStatusCode([131047]), 610);
  assert.equal(failedStatusCode([190]), 614);
  assert.equal(failedStatusCode([131000]), null);
  assert.equal(failedStatusCode([]), null);
});

test('the pair-rate back-off grows 4^n seconds and is bounded', () => {
  assert.deepEqual([1, 2, 3].map(pairLimitBackoffMs), [4_000, 16_000, 64_000]);
  assert.equal(pairLimitBackoffMs(50), 4 ** 6 * 1000);
});

test('statuses: delivered; read and played as read; failed as undelivered at no price; sent and others change nothing', () => {
  const at = 1_700_000_000_000;
  assert.deepEqual(reportOfStatus({ status: 'delivered', at, errorCodes: [], price: 5 }), { kind: 'delivered', at, price: 5 });
  assert.deepEqual(reportOfStatus({ status: 'read', at, errorCodes: [] }), { kind: 'read', at });
  assert.deepEqual(reportOfStatus({ status: 'played', at, errorCodes: [] }), { kind: 'read', at });
  assert.deepEqual(reportOfStatus({ status: 'failed', at, errorCodes: [131026], price: 5 }), { kind: 'undelivered', at, errorCode: 612, price: 0 });
  assert.equal(reportOfStatus({ status: 'sent', at, errorCodes: [] }), null);
  assert.equal(reportOfStatus({ status: 'deleted', at, errorCodes: [] }), null);
});

test('prices: by category and country; free when not billable or of a free type; unknown categories as service', () => {
  const table: WhatsAppPriceTable = {
    standard: { authentication: 100, marketing: 200, utility: 300, service: 0 },
    byCountry: { IN: { marketing: 50 } },
  };
  assert.equal(whatsappPrice(table, 'marketing', 'IN'), 50);
  assert.equal(whatsappPrice(table, 'utility', 'IN'), 300, 'a country without that category uses the standard price');
  assert.equal(whatsappPrice(table, 'marketing', null), 200);
  assert.equal(whatsappPrice(table, 'marketing', 'DE', { billable: false }), 0);
  assert.equal(whatsappPrice(table, 'utility', 'DE', { type: 'free_customer_service' }), 0);
  assert.equal(whatsappPrice(table, 'utility', 'DE', { type: 'free_entry_point', billable: true }), 0);
  assert.equal(whatsappPrice(table, 'utility', 'DE', { type: 'regular', billable: true }), 300);
  assert.equal(pricingCategoryOf('AUTHENTICATION'), 'authentication');
  assert.equal(pricingCategoryOf('authentication_international'), 'authentication');
  assert.equal(pricingCategoryOf('referral_conversion'), 'service');
  assert.equal(pricingCategoryOf(undefined), 'service');
});

test('templates: by name or id and language; APPROVED; as many body parameters', () => {
  const t = (overrides: Partial<WhatsAppTemplate>): WhatsAppTemplate => ({
    wabaId: '1', id: '77', name: 'order_shipped', language: 'en_US', status: 'APPROVED', category: 'UTILITY', bodyParameters: 2, ...overrides,
  });
  assert.equal(checkTemplate([t({})], 'order_shipped', 'en_US', 2).ok, true);
  assert.equal(checkTemplate([t({})], '77', 'en_US', 2).ok, true, 'the platform id names it too');
  assert.deepEqual(checkTemplate([], 'x', 'en_US', 0), { ok: false, reason: 'no template "x" in en_US for this sender' });
  assert.match((checkTemplate([t({ status: 'PAUSED' })], 'order_shipped', 'en_US', 2) as { reason: string }).reason, /PAUSED, not APPROVED/);
  assert.match((checkTemplate([t({})], 'order_shipped', 'en_US', 1) as { reason: string }).reason, /takes 2 body parameters, the message gives 1/);
  // A template named like another's id: the name wins.
  const named = checkTemplate([t({ id: '5', name: '77' }), t({})], '77', 'en_US', 2);
  assert.equal(named.ok && named.template.id, '5');
  assert.equal(countBodyParameters('Order {{1}} ships on {{2}}; again {{1}}'), 2);
  assert.equal(countBodyParameters('{{ 1 }} and {{name}}'), 1);
  assert.equal(countBodyParameters('no placeholders'), 0);
});

test('the window is open for 24 hours after the subscriber wrote, and never before they did', () => {
  const wrote = 1_700_000_000_000;
  assert.equal(isWindowOpen(null, wrote), false);
  assert.equal(isWindowOpen(wrote, wrote), true);
  assert.equal(isWindowOpen(wrote, wrote + CUSTOMER_SERVICE_WINDOW_MS - 1), true);
  assert.equal(isWindowOpen(wrote, wrote + CUSTOMER_SERVICE_WINDOW_MS), false);
});
