/**
 * Concatenated inbound (MO) SMS put back together, in memory, best effort: parts are grouped by sender, recipient,
 * reference and total; the text is emitted when every part is in. A message whose parts do not all arrive within
 * `timeoutMs` is emitted with what came (in order, `…` for each gap) rather than lost. A restart loses parts
 * still waiting; the SMSC has them acknowledged, so they are not sent again.
 */

export interface MoPart {
  from: string;
  to: string;
  reference: number;
  total: number;
  seq: number;
  text: string;
}

export interface AssembledMo {
  from: string;
  to: string;
  text: string;
  complete: boolean;
}

interface Waiting {
  from: string;
  to: string;
  total: number;
  texts: (string | undefined)[];
  received: number;
  firstAt: number;
}

export class MoReassembly {
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly timeoutMs: number) {}

  /** The whole message when this part completes it; undefined while parts are missing. */
  add(part: MoPart, now: number): AssembledMo | undefined {
    if (part.total <= 1 || part.seq < 1 || part.seq > part.total) return { from: part.from, to: part.to, text: part.text, complete: true };
    const key = `${part.from}\u0000${part.to}\u0000${part.reference}\u0000${part.total}`;
    let entry = this.waiting.get(key);
    if (!entry) {
      entry = { from: part.from, to: part.to, total: part.total, texts: new Array<string | undefined>(part.total).fill(undefined), received: 0, firstAt: now };
      this.waiting.set(key, entry);
    }
    if (entry.texts[part.seq - 1] === undefined) entry.received += 1;
    entry.texts[part.seq - 1] = part.text;
    if (entry.received < entry.total) return undefined;
    this.waiting.delete(key);
    return { from: entry.from, to: entry.to, text: entry.texts.join(''), complete: true };
  }

  /** Messages that waited too long, with the parts that came. */
  expire(now: number): AssembledMo[] {
    const out: AssembledMo[] = [];
    for (const [key, entry] of this.waiting) {
      if (now - entry.firstAt < this.timeoutMs) continue;
      this.waiting.delete(key);
      out.push({ from: entry.from, to: entry.to, text: entry.texts.map((text) => text ?? '…').join(''), complete: false });
    }
    return out;
  }

  /** Everything still waiting (at stop). */
  flush(): AssembledMo[] {
    return this.expire(Infinity);
  }
}
