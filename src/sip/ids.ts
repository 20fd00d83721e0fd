/** Identifiers a UAC invents (RFC 3261 §8.1.1): they must be unique, so they are random. */
import { randomBytes } from 'node:crypto';

/** Marks a branch as RFC 3261 style, so peers match transactions by it (§8.1.1.7). */
export const BRANCH_MAGIC_COOKIE = 'z9hG4bK';

export function newBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomBytes(12).toString('hex');
}

export function newTag(): string {
  return randomBytes(8).toString('hex');
}

export function newCallId(): string {
  return randomBytes(16).toString('hex');
}
