import type { Clock } from '../../clock.js';
import type { CarrierEvent, Connector, HandoffResult, InFlightMessage, OutboundMessage } from '../connector.js';
import {
  magicNumberOf,
  plannedEvents,
  simulatedOutcome,
  type PlannedEvent,
  type SimulatorDelays,
} from './magicNumbers.js';

export interface SimulatorOptions extends SimulatorDelays {
  clock: Clock;
}

/** The `simulator.*` settings' defaults (docs/simulator.md). */
export const SIMULATOR_DEFAULTS: SimulatorDelays = { deliveryDelayMs: 1000, slowDelayMs: 30_000, readDelayMs: 2000 };

export type SimulatorConnector = Connector & {
  /** How many sends returned `sent`: lets tests prove nothing is handed off twice. */
  readonly handedOff: number;
};

interface TimedEvent {
  /** From the moment the timers are armed, in real time. */
  waitMs: number;
  event: PlannedEvent;
}

/**
 * A connector with no network: outcomes come from the destination's magic number (magicNumbers.ts).
 * Timers run in real time (tests use small delays); event times come from the injected clock.
 */
const ORPHAN_MARGIN_MS = 5_000;

export function createSimulatorConnector(options: SimulatorOptions): SimulatorConnector {
  const timers = new Set<NodeJS.Timeout>();
  let emit: ((event: CarrierEvent) => void) | null = null;
  let handedOff = 0;

  const started = (): ((event: CarrierEvent) => void) => {
    if (emit === null) throw new Error('simulator connector used before start() or after stop()');
    return emit;
  };

  // One step at a time per message, each armed when the previous fired: events of the same message keep
  // their order even when delays are equal or clamped to 0 on resume.
  function arm(uuid: string, steps: TimedEvent[], index = 0, elapsedMs = 0): void {
    const step = steps[index];
    if (step === undefined) return;
    const fire = () => {
      arm(uuid, steps, index + 1, step.waitMs); // first, so that a throwing listener cannot lose later events
      const { afterMs: _afterMs, ...event } = step.event;
      started()({ uuid, at: options.clock.now(), ...event });
    };
    const delayMs = step.waitMs - elapsedMs;
    if (delayMs <= 0) {
      // Due now: reported at once, so that it joins the engine round of its hand-off (the engine records a
      // round's hand-offs before the events that came during them). Dropped if the connector stopped meanwhile.
      queueMicrotask(() => emit !== null && fire());
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      fire();
    }, delayMs);
    timer.unref(); // pending simulated reports must not keep the process alive
    timers.add(timer);
  }

  return {
    name: 'simulator',
    get handedOff() {
      return handedOff;
    },
    // Its timers die with the process: another node re-arms what a dead one handed off (the longest
    // outcome plus a margin, so that a living node's own events are never doubled).
    orphanedAfterMs: Math.max(options.deliveryDelayMs, options.slowDelayMs) + options.readDelayMs + ORPHAN_MARGIN_MS,

    async start(events) {
      emit = (event) => events.report(event);
    },

    // Answers at once; the outcome's events follow after their delays (a delay of 0: in the same engine round).
    async send(message: OutboundMessage): Promise<HandoffResult> {
      started();
      const outcome = simulatedOutcome(message.destination, message.channelType);
      const magic = magicNumberOf(message.destination);
      const detail = magic ? `simulator: magic number ${magic.digits} (${magic.description})` : 'simulator: delivered';
      if (outcome.kind === 'refused') return { kind: 'refused', errorCode: outcome.errorCode, detail };
      handedOff += 1;
      const events = plannedEvents(outcome, message.content, options);
      arm(message.uuid, events.map((event) => ({ waitMs: event.afterMs, event })));
      // Its events name the message by uuid, so no carrier reference is needed (nor indexed).
      return { kind: 'sent', detail };
    },

    // The outcome is recomputed from the destination, so nothing but sentAt is needed to carry on.
    resume(messages: InFlightMessage[]) {
      started();
      const now = options.clock.now();
      for (const message of messages) {
        const outcome = simulatedOutcome(message.destination, message.channelType);
        const events = plannedEvents(outcome, message.content, options).filter(
          // Already delivered: only what follows delivery is still to come.
          (event) => message.status === 'sent' || event.kind === 'read' || event.kind === 'click',
        );
        const steps = events.map((event) => ({ waitMs: Math.max(0, message.sentAt + event.afterMs - now), event }));
        arm(message.uuid, steps);
      }
    },

    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      emit = null;
    },
  };
}
