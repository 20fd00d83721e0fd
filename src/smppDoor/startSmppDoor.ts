/**
 * Starts the SMPP door for clients on this node: the listener(s), the deliver sender and the sweep of incomplete
 * concatenations. Every node starts one (PostgreSQL: any node takes binds; each sends to the sessions it holds).
 */
import { readFile } from 'node:fs/promises';
import type { PriceTable } from '../domain/prices.js';
import type { SmppUser } from '../domain/smppUser.js';
import { startSmscServer, type SmscServer } from '../smpp/server/smscServer.js';
import type { SessionInfo } from '../smpp/server/smscTypes.js';
import type { SmppLogger } from '../smpp/session.js';
import type { Store } from '../store/store.js';
import { Concatenations } from './concatenations.js';
import { DeliverSender, type DeliverCounters } from './deliverSender.js';
import { smppDoorHandlers } from './smppDoor.js';
import type { SMPP_SERVER_SETTINGS } from './smppServerSettings.js';
import { SubmitAcceptor } from './submitAcceptor.js';
import type { Static } from '@sinclair/typebox';

export type SmppServerSettings = Static<typeof SMPP_SERVER_SETTINGS>;

export interface SmppDoorOptions {
  store: Store;
  settings: SmppServerSettings;
  prices: PriceTable;
  now: () => number;
  shortLinkBase: () => string;
  logger?: SmppLogger;
  /** How often the outbox and the concatenations are looked at when nothing woke them (tests shorten it). */
  pollMs?: number;
  sweepMs?: number;
}

export interface SmppDoor {
  /** The plain listener's port, and the TLS one's (null without TLS). */
  readonly port: number;
  readonly tlsPort: number | null;
  sessions(): SessionInfo[];
  readonly counters: DeliverCounters;
  /** Settles stale concatenations now (tests); returns how many groups. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

export async function startSmppDoor(options: SmppDoorOptions): Promise<SmppDoor> {
  const { store, settings, now, logger } = options;
  const common = { store, prices: options.prices, now, shortLinkBase: options.shortLinkBase, ...(logger ? { logger } : {}) };
  const acceptor = new SubmitAcceptor(common);
  const concatenations = new Concatenations({ ...common, acceptor });
  const timers = { bindTimeoutMs: settings.bindTimeoutMs, idleMs: settings.enquireLinkMs, responseTimeoutMs: settings.responseTimeoutMs };
  const sender = new DeliverSender({
    store,
    now,
    pollMs: options.pollMs ?? 100,
    // Beyond the answer timeout of every PDU the row makes: a row is never claimed twice while one node still waits.
    leaseMs: 2 * settings.responseTimeoutMs + 5_000,
    ...(logger ? { logger } : {}),
  });
  const handlers = smppDoorHandlers({ store, acceptor, concatenations, sender, now, ...(logger ? { logger } : {}) });

  const servers: SmscServer[] = [];
  const closeAll = () => Promise.all(servers.map((server) => server.close()));
  try {
    const base = { systemId: settings.systemId, handlers, timers, ...(logger ? { logger } : {}) };
    servers.push(await startSmscServer({ ...base, host: settings.host, port: settings.port }));
    if (settings.tls) {
      const [cert, key] = await Promise.all([readFile(settings.tls.certFile), readFile(settings.tls.keyFile)]);
      servers.push(await startSmscServer({ ...base, host: settings.tls.host ?? settings.host, port: settings.tls.port, tls: { cert, key } }));
    }
  } catch (error) {
    await closeAll();
    throw error;
  }
  sender.start();

  // The users as they are now (one may have been revoked since it sent its parts), read once per sweep that needs them.
  const sweep = () => {
    let users: Promise<Map<number, SmppUser>> | null = null;
    return concatenations.sweep(async (id) => {
      users ??= store.smppUsers.list().then((all) => new Map(all.map((user) => [user.id, user])));
      return (await users).get(id) ?? null;
    });
  };
  /** A user revoked, or whose account was suspended, since it bound (by the CLI, another process): its sessions end. */
  const endRevoked = async () => {
    const bound = servers.flatMap((server) => server.liveSessions()).filter((session) => session.bound && session.systemId !== null);
    for (const systemId of new Set(bound.map((session) => session.systemId!))) {
      const found = await store.smppUsers.bySystemId(systemId);
      const account = found ? await store.accounts.byId(found.user.accountId) : null;
      if (found && found.user.revokedAt === null && account && !account.suspended) continue;
      logger?.info({ systemId }, 'SMPP user revoked or its account suspended: its sessions are ended');
      await Promise.all(bound.filter((session) => session.systemId === systemId).map((session) => session.shutdown()));
    }
  };
  let sweeping: Promise<unknown> = Promise.resolve();
  const sweepTimer = setInterval(() => {
    sweeping = Promise.all([sweep(), endRevoked()]).catch((error: unknown) => logger?.warn({ err: String(error) }, 'SMPP door housekeeping failed'));
  }, options.sweepMs ?? 5_000);
  sweepTimer.unref();

  return {
    port: servers[0]!.port,
    tlsPort: servers[1]?.port ?? null,
    sessions: () => servers.flatMap((server) => server.sessions()),
    counters: sender.counters,
    sweep,
    async close() {
      clearInterval(sweepTimer);
      await closeAll();
      await sender.stop();
      await sweeping;
    },
  };
}
