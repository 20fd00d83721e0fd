/** Records what a SipCall reports, for assertions in the SIP tests. */
import type { SipCall, SipCallEvents } from '../../src/sip/outgoingCall.js';

export type RecordedEvent = { [K in keyof SipCallEvents]: { name: K; payload: SipCallEvents[K][0] } }[keyof SipCallEvents];

export interface CallRecording {
  readonly events: RecordedEvent[];
  names(): string[];
  /** The payload of the first event of that name. */
  first<K extends keyof SipCallEvents>(name: K): SipCallEvents[K][0] | undefined;
  /** Resolves at `failed` or `ended`. */
  finished: Promise<void>;
}

export function recordCall(call: SipCall, reactions: Partial<{ [K in keyof SipCallEvents]: () => void }> = {}): CallRecording {
  const events: RecordedEvent[] = [];
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const names: (keyof SipCallEvents)[] = ['trying', 'ringing', 'answered', 'failed', 'ended'];
  for (const name of names) {
    call.on(name, (...args: unknown[]) => {
      events.push({ name, payload: args[0] } as RecordedEvent);
      reactions[name]?.();
      if (name === 'failed' || name === 'ended') finish();
    });
  }
  return {
    events,
    names: () => events.map((event) => event.name),
    first: (name) => events.find((event) => event.name === name)?.payload as never,
    finished,
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
