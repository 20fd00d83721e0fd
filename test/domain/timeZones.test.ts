import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getCountries } from 'libphonenumber-js';
import { countryOf } from '../../src/domain/country.js';
import {
  MOSCOW_ZONE,
  MULTI_ZONE_DEFAULTS,
  REGION_PLANS,
  SINGLE_ZONE_COUNTRIES,
  zoneForDestination,
} from '../../src/domain/timeZones.js';

/** The zone as the engine finds it: country from the numbering plan, then the zone. */
const zoneOf = (destination: string) => zoneForDestination(destination, countryOf(destination));

test('US numbers take the zone of their area code', () => {
  assert.equal(zoneOf('12125551234'), 'America/New_York');
  assert.equal(zoneOf('13125551234'), 'America/Chicago');
  assert.equal(zoneOf('13035551234'), 'America/Denver');
  assert.equal(zoneOf('16025551234'), 'America/Phoenix');
  assert.equal(zoneOf('14155551234'), 'America/Los_Angeles');
  assert.equal(zoneOf('19075551234'), 'America/Anchorage');
  assert.equal(zoneOf('18085551234'), 'Pacific/Honolulu');
});

test('Canadian numbers take the zone of their area code, the default otherwise', () => {
  assert.equal(zoneOf('16045551234'), 'America/Vancouver');
  assert.equal(zoneOf('14035551234'), 'America/Edmonton');
  assert.equal(zoneOf('19025551234'), 'America/Halifax');
  assert.equal(zoneOf('17095551234'), 'America/St_Johns');
  assert.equal(zoneOf('14165551234'), 'America/Toronto');
  // 867 spans three territories and four zones: left to the default.
  assert.equal(countryOf('18675551234'), 'CA');
  assert.equal(zoneOf('18675551234'), MULTI_ZONE_DEFAULTS.CA);
});

test('Russian mobile numbers are in Moscow time, geographic codes in their region', () => {
  assert.equal(zoneOf('79161234567'), 'Europe/Moscow');
  assert.equal(zoneOf('79131234567'), 'Europe/Moscow'); // DEF ranges are not regions
  assert.equal(zoneOf('74951234567'), 'Europe/Moscow');
  assert.equal(zoneOf('78121234567'), 'Europe/Moscow');
  assert.equal(zoneOf('73831234567'), 'Asia/Novosibirsk');
  assert.equal(zoneOf('73431234567'), 'Asia/Yekaterinburg');
  assert.equal(zoneOf('73912123456'), 'Asia/Krasnoyarsk');
  assert.equal(zoneOf('73952123456'), 'Asia/Irkutsk');
  assert.equal(zoneOf('74232123456'), 'Asia/Vladivostok');
  assert.equal(zoneOf('74012123456'), 'Europe/Kaliningrad');
  assert.equal(zoneOf('78462123456'), 'Europe/Samara');
});

test('an unknown country or a code without a table is Moscow time', () => {
  assert.equal(countryOf('999123456789'), null);
  assert.equal(zoneOf('999123456789'), MOSCOW_ZONE);
  assert.equal(zoneForDestination('12125551234', null), MOSCOW_ZONE);
  assert.equal(zoneForDestination('12125551234', 'ZZ'), MOSCOW_ZONE);
});

test('single-zone countries take their zone', () => {
  assert.equal(zoneOf('919812345678'), 'Asia/Kolkata');
  assert.equal(zoneOf('4915112345678'), 'Europe/Berlin');
  assert.equal(zoneOf('442071234567'), 'Europe/London');
  assert.equal(zoneOf('9779841234567'), 'Asia/Kathmandu');
  assert.equal(zoneOf('77011234567'), 'Asia/Almaty'); // Kazakhstan, inside +7
});

test('other multi-zone countries: regions by prefix, the default for the rest', () => {
  assert.equal(zoneOf('61412345678'), 'Australia/Sydney'); // mobile
  assert.equal(zoneOf('61891234567'), 'Australia/Perth');
  assert.equal(zoneOf('61889123456'), 'Australia/Darwin');
  assert.equal(zoneOf('61881234567'), 'Australia/Adelaide');
  assert.equal(zoneOf('61731234567'), 'Australia/Brisbane');
  assert.equal(zoneOf('5511987654321'), 'America/Sao_Paulo');
  assert.equal(zoneOf('5592981234567'), 'America/Manaus');
  assert.equal(zoneOf('5568981234567'), 'America/Rio_Branco');
  assert.equal(zoneOf('525512345678'), 'America/Mexico_City');
  assert.equal(zoneOf('526641234567'), 'America/Tijuana');
  assert.equal(zoneOf('5219981234567'), 'America/Cancun'); // legacy mobile "1" after 52
  assert.equal(zoneOf('62215551234'), 'Asia/Jakarta');
  assert.equal(zoneOf('6236112345'), 'Asia/Makassar');
  assert.equal(zoneOf('34922123456'), 'Atlantic/Canary');
  assert.equal(zoneOf('34912345678'), 'Europe/Madrid');
  assert.equal(zoneOf('351296123456'), 'Atlantic/Azores');
  assert.equal(zoneOf('6433051234'), 'Pacific/Chatham');
  assert.equal(zoneOf('56612123456'), 'America/Punta_Arenas');
});

test('a region table is only read when the destination carries its calling code', () => {
  assert.equal(zoneForDestination('73831234567', 'US'), MULTI_ZONE_DEFAULTS.US);
});

test('every country libphonenumber can return has a zone of its own', () => {
  for (const country of getCountries()) {
    const inSingle = SINGLE_ZONE_COUNTRIES.has(country);
    const inMulti = country in MULTI_ZONE_DEFAULTS;
    assert.ok(inSingle !== inMulti, `${country} must be in exactly one table`);
  }
});

test('every country with a region table has a documented default', () => {
  for (const country of Object.keys(REGION_PLANS)) assert.ok(country in MULTI_ZONE_DEFAULTS, country);
});

test('every zone in the tables is a zone Intl knows', () => {
  const zones = new Set([...SINGLE_ZONE_COUNTRIES.values(), ...Object.values(MULTI_ZONE_DEFAULTS)]);
  for (const plan of Object.values(REGION_PLANS)) for (const zone of plan.prefixes.values()) zones.add(zone);
  for (const zone of zones) assert.doesNotThrow(() => new Intl.DateTimeFormat('en-US', { timeZone: zone }), zone);
});
