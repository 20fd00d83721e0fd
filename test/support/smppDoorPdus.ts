/**
 * Octets and small helpers for the SMPP door's tests, built here by hand (not with the gateway's own encoders) so
 * that what the door decodes is checked against an independent writing: UCS-2, UDH headers, SMPP times, an SMPP
 * user of any account, and waiting on the store or on GET /message.
 */
import { hashSmppPassword } from '../../src/auth/smppPasswords.js';
import { SMPP_USER_DEFAULTS, type SmppUserLimits } from '../../src/domain/smppUser.js';
import { call } from './gateway.js';
import type { DoorGateway } from './smppDoorGateway.js';

/** UCS-2 / UTF-16 big-endian (data_coding 8): a surrogate pair stays two units. */
export function ucs2(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

/** The UDH of a part with an 8-bit reference (IEI 0x00). */
export function udh8(reference: number, total: number, seq: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, reference & 0xff, total, seq]);
}

/** The UDH of a part with a 16-bit reference (IEI 0x08). */
export function udh16(reference: number, total: number, seq: number): Buffer {
  return Buffer.from([0x06, 0x08, 0x04, (reference >> 8) & 0xff, reference & 0xff, total, seq]);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/**
 * An absolute SMPP time (YYMMDDhhmmsstnnp) for the instant `ms`, written in a zone `quarters` quarter hours
 * ahead of UTC (negative: behind).
 */
export function smppAbsolute(ms: number, quarters = 0): string {
  const local = new Date(ms + quarters * 15 * 60_000);
  const tenths = Math.floor(local.getUTCMilliseconds() / 100);
  return (
    pad(local.getUTCFullYear() % 100) +
    pad(local.getUTCMonth() + 1) +
    pad(local.getUTCDate()) +
    pad(local.getUTCHours()) +
    pad(local.getUTCMinutes()) +
    pad(local.getUTCSeconds()) +
    String(tenths) +
    pad(Math.abs(quarters)) +
    (quarters < 0 ? '-' : '+')
  );
}

/** A relative SMPP time (YYMMDDhhmmss000R). */
export function smppRelative(parts: { days?: number; hours?: number; minutes?: number; seconds?: number }): string {
  return `0000${pad(parts.days ?? 0)}${pad(parts.hours ?? 0)}${pad(parts.minutes ?? 0)}${pad(parts.seconds ?? 0)}000R`;
}

let users = 0;

/** An SMPP user of any account of the door's gateway (password `pass1234`). */
export async function userOfAccount(door: DoorGateway, accountId: number, limits: Partial<SmppUserLimits> = {}) {
  const systemId = `acc${process.pid % 1000}y${++users}`.slice(0, 15);
  const user = await door.gateway.store.smppUsers.create(
    { systemId, accountId, allowList: [], callbackUrl: null, ...SMPP_USER_DEFAULTS, ...limits },
    await hashSmppPassword('pass1234'),
    door.gateway.clock.now(),
  );
  if (!user) throw new Error(`system id ${systemId} taken`);
  return { ...user, password: 'pass1234' };
}

/** GET /api/v1/message/{id} with the door account's key (or `auth`). */
export async function getMessage(door: DoorGateway, uuid: string, auth = door.auth): Promise<{ status: number; body: any }> {
  const got = await call(door.gateway, 'GET', `/api/v1/message/${uuid}`, { auth });
  return { status: got.status, body: got.body };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits (polling every 20 ms) until `condition` holds, up to `timeoutMs`. */
export async function waitUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await delay(20);
  }
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
