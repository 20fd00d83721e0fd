import postgres from 'postgres';
import type { Sql, TransactionSql } from './connection.js';

/** The first key of the owners' session-level advisory locks ('dgik'); the second is the owner id. */
export const OWNER_LOCK_SPACE = 0x6467696b;

/**
 * This node as the owner of idempotency claims (spec §5.12): an id from a sequence (never reused) and a session-level
 * advisory lock on it, held by a connection of its own for as long as that connection lives. PostgreSQL drops the
 * lock the moment the session ends: at once when the node's process dies (its socket closes), within a few
 * seconds when its host vanishes (TCP keepalives set on the session below). So "no session holds the owner's lock"
 * proves the owner dead, and a claim can never outlive its node. This is chosen over a renewed lease: a lease is
 * lost by a live node whose event loop stalls, and costs a write per node per second; the lock costs nothing while
 * the node lives and needs no clock. Should the session end while the node lives (the database restarted), its
 * claims are taken over like a dead node's; the guarded writes (idempotency.ts) then refuse this node's late
 * answers, and the next claim starts a new owner with a new id.
 */
export interface PgIdempotencyOwner {
  /** The owner id, once its lock is held. */
  id(): Promise<number>;
  close(): Promise<void>;
}

interface Session {
  id: number;
  connection: Sql;
}

export function pgIdempotencyOwner(url: string): PgIdempotencyOwner {
  let current: Promise<Session> | null = null;
  let closed = false;

  async function start(ended: () => void): Promise<Session> {
    const connection = postgres(url, {
      max: 1,
      // The connection is the owner's life: never closed for being idle or old.
      idle_timeout: 0,
      max_lifetime: 0,
      connect_timeout: 10,
      keep_alive: 1,
      onnotice: () => {},
      onclose: ended,
      connection: { application_name: 'direct-gateway idempotency owner' },
    }) as unknown as Sql;
    try {
      // The server notices a vanished host in about 2 + 3 × 1 s instead of the system's default two hours.
      await connection`
        select set_config('tcp_keepalives_idle', '2', false), set_config('tcp_keepalives_interval', '1', false),
          set_config('tcp_keepalives_count', '3', false)`;
      const [row] = await connection<{ id: number }[]>`select nextval('idempotency_owner_ids')::int as id`;
      const [lock] = await connection<{ got: boolean }[]>`select pg_try_advisory_lock(${OWNER_LOCK_SPACE}::int, ${row!.id}::int) as got`;
      if (!lock!.got) throw new Error(`idempotency owner ${row!.id} is locked by another session`);
      return { id: row!.id, connection };
    } catch (error) {
      await connection.end({ timeout: 1 });
      throw error;
    }
  }

  return {
    async id() {
      if (closed) throw new Error('the store is closed');
      if (current === null) {
        // A new session is a new owner; the next claim after the end of this one starts another.
        const session: Promise<Session> = start(() => {
          if (current === session) current = null;
        });
        current = session;
        session.catch(() => {
          if (current === session) current = null;
        });
      }
      return (await current).id;
    },
    async close() {
      closed = true;
      const session = current;
      current = null;
      if (session) await (await session.catch(() => null))?.connection.end({ timeout: 5 });
    },
  };
}

/**
 * True when the owner's session is gone: no granted lock on it in this database. Read from pg_locks, which has no
 * side effect (a try-lock would briefly hold the dead owner's lock itself).
 */
export function ownerIsDead(sql: Sql | TransactionSql, ownerColumn: string) {
  return sql`not exists (
    select 1 from pg_locks l
    where l.locktype = 'advisory' and l.granted
      and l.database = (select oid from pg_database where datname = current_database())
      and l.classid = ${OWNER_LOCK_SPACE}::int::oid and l.objid = ${sql.unsafe(ownerColumn)}::oid and l.objsubid = 2)`;
}
