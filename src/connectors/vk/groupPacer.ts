/**
 * Paces a VK group's sends (README "VK", Limits): at most `perSecond` messages in any window of a second, counted
 * when they leave, as the platform counts them when they arrive (plus a margin for the network). Unlike a slot per
 * message, a window lets one provider request carry a group's whole second at once. Per node.
 */
const WINDOW_MS = 1_000;
/** Requests arrive a little apart from when they left: the window is held this much longer. */
const MARGIN_MS = 100;
/** The map is swept of groups quiet for a window, at most this often and only once it is large. */
const SWEEP_EVERY_MS = 10_000;
const SWEEP_ABOVE = 10_000;

export class GroupPacer {
  /** Per group, the send times inside the window, oldest first. */
  private readonly sent = new Map<string, number[]>();
  private sweptAt = -Infinity;

  /**
   * Places `count` messages of the group at `now`: one wait per message, 0 for those that may go now (recorded as
   * sent), else how long to wait: the excess is spread over the following windows, so that the messages sent back
   * come back a window's worth at a time instead of all at once.
   */
  take(group: string, count: number, perSecond: number, now: number): number[] {
    const span = WINDOW_MS + MARGIN_MS;
    let times = this.sent.get(group);
    if (!times) this.sent.set(group, (times = []));
    let old = 0;
    while (old < times.length && times[old]! <= now - span) old++;
    if (old > 0) times.splice(0, old);
    const free = Math.max(0, perSecond - times.length);
    const waits: number[] = [];
    // When the oldest send in the window leaves it, a window's worth may follow.
    const firstFreeAt = times.length > 0 ? times[Math.max(0, times.length - perSecond)]! + span : now + span;
    for (let i = 0; i < count; i++) {
      if (i < free) {
        times.push(now);
        waits.push(0);
      } else {
        const later = Math.floor((i - free) / perSecond);
        waits.push(Math.max(1, firstFreeAt - now) + later * span);
      }
    }
    this.forgetQuiet(now);
    return waits;
  }

  private forgetQuiet(now: number): void {
    if (now - this.sweptAt < SWEEP_EVERY_MS || this.sent.size < SWEEP_ABOVE) return;
    this.sweptAt = now;
    for (const [group, times] of this.sent) if (times.length === 0 || times[times.length - 1]! <= now - WINDOW_MS - MARGIN_MS) this.sent.delete(group);
  }
}
