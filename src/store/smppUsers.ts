import type { SmppUser, SmppUserLimits } from '../domain/smppUser.js';

/** A user to create: everything but what the store assigns. */
export type NewSmppUser = Pick<SmppUser, 'systemId' | 'accountId'> & SmppUserLimits;

/**
 * The SMPP users (smpp-interface.md §2, domain/smppUser.ts) with their password hashes (auth/smppPasswords.ts).
 * A `system_id` is unique over every row, revoked ones included: a revoked id is never given to another user, so
 * nothing that recorded the id (logs, a client's configuration) can ever point at someone else.
 */
export interface SmppUserRepository {
  /** Null when the system id is taken (by a user active or revoked). */
  create(user: NewSmppUser, passwordHash: string, now: number): Promise<SmppUser | null>;
  /** The user and its hash, revoked ones too (`revokedAt` set): the bind check tells them apart. */
  bySystemId(systemId: string): Promise<{ user: SmppUser; passwordHash: string } | null>;
  /** Every user, or an account's, revoked ones included, in the order created. */
  list(accountId?: number): Promise<SmppUser[]>;
  /** False when there is no such user or it was already revoked. */
  revoke(systemId: string, now: number): Promise<boolean>;
  /** False when there is no such user or it is revoked. */
  setPassword(systemId: string, passwordHash: string): Promise<boolean>;
  /** Changes the given settings and keeps the others; null when there is no such user or it is revoked. */
  setLimits(systemId: string, limits: Partial<SmppUserLimits>): Promise<SmppUser | null>;
}
