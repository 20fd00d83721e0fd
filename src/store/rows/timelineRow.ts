import type { TimelineEntry } from '../store.js';

/** A message_events row, as either database returns it. */
export interface EventRow {
  at: number;
  kind: string;
  detail: string | null;
}

/** The message's timeline (our `GET /message/{uuid}/events`): its acceptance, then every recorded event in order. */
export function toTimeline(message: { created_at: number; channel_type: string }, events: EventRow[]): TimelineEntry[] {
  const accepted: TimelineEntry = { at: Number(message.created_at), kind: 'accepted', detail: { channelType: message.channel_type } };
  return [
    accepted,
    ...events.map((e) => ({
      at: Number(e.at),
      kind: e.kind,
      detail: e.detail === null ? null : (JSON.parse(e.detail) as Record<string, unknown>),
    })),
  ];
}
