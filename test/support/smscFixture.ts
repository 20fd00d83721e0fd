/** An SMSC session server (src/smpp/server/) on a free port with recording handlers whose answers a test sets. */
import { startSmscServer, type SmscServer, type SmscServerOptions } from '../../src/smpp/server/smscServer.js';
import type { SmscSession } from '../../src/smpp/server/smscSession.js';
import type { SmscHandlers } from '../../src/smpp/server/smscSession.js';
import type { BindDecision, BindRequest, SmscAnswer, SmscRequest, SmscTimers } from '../../src/smpp/server/smscTypes.js';

export interface Fixture {
  server: SmscServer;
  binds: BindRequest[];
  submits: SmscRequest[];
  queries: SmscRequest[];
  cancels: SmscRequest[];
  closedSessions: SmscSession[];
  boundSessions: SmscSession[];
}

export interface FixtureOptions {
  decide?: (request: BindRequest) => BindDecision | Promise<BindDecision>;
  answer?: (request: SmscRequest, session: SmscSession) => SmscAnswer | Promise<SmscAnswer>;
  timers?: Partial<SmscTimers>;
  tls?: SmscServerOptions['tls'];
}

export const FAST_TIMERS: SmscTimers = { bindTimeoutMs: 2_000, idleMs: 2_000, responseTimeoutMs: 1_000 };

export async function startFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const fixture = { binds: [], submits: [], queries: [], cancels: [], closedSessions: [], boundSessions: [] } as unknown as Fixture;
  const answer = options.answer ?? (() => ({ status: 0, messageId: 'm-1' }));
  const handlers: SmscHandlers = {
    bind: async (request) => {
      fixture.binds.push(request);
      return (options.decide ?? (() => ({ ok: true, user: { systemId: request.systemId }, window: 10, throughput: 0 })))(request);
    },
    submit: async (session, pdu) => {
      fixture.submits.push(pdu);
      return answer(pdu, session);
    },
    query: async (session, pdu) => {
      fixture.queries.push(pdu);
      return answer(pdu, session);
    },
    cancel: async (session, pdu) => {
      fixture.cancels.push(pdu);
      return answer(pdu, session);
    },
    bound: (session) => fixture.boundSessions.push(session),
    closed: (session) => fixture.closedSessions.push(session),
  };
  fixture.server = await startSmscServer({
    host: '127.0.0.1',
    port: 0,
    systemId: 'direct-gateway',
    handlers,
    timers: { ...FAST_TIMERS, ...options.timers },
    tls: options.tls ?? null,
  });
  return fixture;
}

/** A promise the test resolves by hand. */
export function gate<T>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}
