import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * SMPP passwords (smpp-interface.md §2). SMPP 3.4 limits `password` to 8 octets, so a password has about 47 bits
 * (8 characters of 57): too few for a fast hash like the API keys' SHA-256. Only a slow, salted hash is stored:
 * scrypt (N=2^15, r=8, p=1), in a self-describing string `scrypt$N$r$p$<salt base64>$<hash base64>`, so the cost can
 * rise later without breaking the hashes already stored.
 */

/** Letters and digits an operator can read out without doubt: no 0/O, 1/l/I. */
export const SMPP_PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
export const SMPP_PASSWORD_LENGTH = 8;

const COST = { N: 2 ** 15, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Refused when reading a stored hash: a corrupted or hostile value must not make a bind burn memory or CPU. */
const MAX_COST = { N: 2 ** 20, r: 32, p: 16 };
const PREFIX = 'scrypt';

/** 8 characters from the CSPRNG (crypto.randomInt: uniform, no modulo bias). */
export function generateSmppPassword(): string {
  let password = '';
  for (let i = 0; i < SMPP_PASSWORD_LENGTH; i += 1) password += SMPP_PASSWORD_ALPHABET[randomInt(SMPP_PASSWORD_ALPHABET.length)];
  return password;
}

function derive(password: string, salt: Buffer, keyLength: number, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  // scrypt needs about 128·N·r·p bytes; the default maxmem (32 MiB) is exactly that for the default cost: leave room.
  const options: ScryptOptions = { ...cost, maxmem: 256 * cost.N * cost.r * cost.p + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(Buffer.from(password, 'utf8'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashSmppPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, COST);
  return [PREFIX, COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const INTEGER = /^[1-9][0-9]{0,9}$/;

/** Whether the password matches the stored hash, compared in constant time; false for a malformed stored value. */
export async function verifySmppPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return false;
  const [, n, r, p, saltText, hashText] = parts as [string, string, string, string, string, string];
  if (![n, r, p].every((text) => INTEGER.test(text)) || !BASE64.test(saltText) || !BASE64.test(hashText)) return false;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (cost.N < 2 || (cost.N & (cost.N - 1)) !== 0 || cost.N > MAX_COST.N || cost.r > MAX_COST.r || cost.p > MAX_COST.p) return false;
  const salt = Buffer.from(saltText, 'base64');
  const expected = Buffer.from(hashText, 'base64');
  if (salt.length < 8 || expected.length < 16 || expected.length > 64) return false;
  let candidate: Buffer;
  try {
    candidate = await derive(password, salt, expected.length, cost);
  } catch {
    return false;
  }
  return timingSafeEqual(candidate, expected);
}
