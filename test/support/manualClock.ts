import type { Clock } from '../../src/clock.js';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private current = Date.parse('2026-05-01T10:00:00Z')) {}
  now = (): number => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
