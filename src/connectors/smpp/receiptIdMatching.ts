import { exactMessageIdKeys, messageIdKeys } from '../../smpp/receipt.js';

/** `smpp.smscs[].receiptIds`: how a receipt's message id is matched to a submit_sm_resp's. */
export type ReceiptIdMode = 'auto' | 'exact' | 'any-notation';

/** Receipts whose ids are looked up before `auto` decides; then one notation is kept for this SMSC. */
const VOTES_TO_DECIDE = 20;
/** Ids remembered while `auto` learns (bounded: the oldest are forgotten first). */
const REMEMBERED_IDS = 10_000;
/**
 * A receipt often comes before the gateway has read the submit_sm_resp it follows (both in one TCP read, or on
 * another bind). One whose id no answer matched exactly this long after it came is looked at across notations.
 */
const ANSWER_GRACE_MS = 1_000;

/**
 * How a receipt's ids become lookup keys (README "SMS over SMPP", receipt ids). An SMSC may write a message's id in
 * another notation in its receipt than in its submit_sm_resp (hex, then decimal). Matching every notation costs
 * something real: a receipt that arrives before its own hand-off is recorded can match another message whose id
 * reads as the same number in the other notation (4500 decimal and 0x1194), which then takes its receipt while the
 * right message waits until the end of its lifetime. So `auto` looks at the first receipts: when their ids are the
 * very ids the SMSC answered (most SMSCs), only the exact id is looked up from then on, and an early receipt waits
 * for its own hand-off; when they match only across notations, every notation is kept. `exact` and `any-notation`
 * fix the choice.
 */
export class ReceiptIdMatching {
  private decided: 'exact' | 'any-notation' | null;
  private readonly answered = new Set<string>();
  private readonly answeredNumbers = new Set<string>();
  /** Receipt ids not matched yet, by their exact key: their numeric keys and when they came. */
  private readonly unmatched = new Map<string, { numbers: string[]; at: number }>();
  private exactVotes = 0;
  private crossVotes = 0;

  constructor(
    mode: ReceiptIdMode,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.decided = mode === 'auto' ? null : mode;
  }

  /** What `auto` has settled on so far (null while learning). */
  get notation(): 'exact' | 'any-notation' | null {
    return this.decided;
  }

  /** The SMSC answered a submit_sm with this id. */
  answeredId(id: string): void {
    if (this.decided !== null) return;
    const [exact, ...numbers] = messageIdKeys(id);
    remember(this.answered, exact!);
    for (const key of numbers) remember(this.answeredNumbers, key);
    if (this.unmatched.delete(exact!)) this.exactVotes++;
    this.settle();
  }

  /** The lookup keys of a receipt's ids, best first. */
  keysOf(ids: readonly string[]): string[] {
    if (this.decided === null) {
      for (const id of ids) {
        const [exact, ...numbers] = messageIdKeys(id);
        if (this.answered.has(exact!)) this.exactVotes++;
        else if (this.unmatched.size < REMEMBERED_IDS) this.unmatched.set(exact!, { numbers, at: this.now() });
      }
      this.settle();
    }
    const keysOfId = this.decided === 'exact' ? exactMessageIdKeys : messageIdKeys;
    return [...new Set(ids.flatMap((id) => keysOfId(id)))];
  }

  private settle(): void {
    const now = this.now();
    for (const [exact, { numbers, at }] of this.unmatched) {
      if (now - at < ANSWER_GRACE_MS) break;
      // Never answered under this id: the same number in another notation, or a message sent before a restart.
      if (numbers.some((key) => this.answeredNumbers.has(key))) this.crossVotes++;
      this.unmatched.delete(exact);
    }
    if (this.exactVotes + this.crossVotes < VOTES_TO_DECIDE) return;
    if (this.crossVotes * 10 <= this.exactVotes) this.decided = 'exact';
    else if (this.exactVotes * 10 <= this.crossVotes) this.decided = 'any-notation';
    else return;
    this.answered.clear();
    this.answeredNumbers.clear();
    this.unmatched.clear();
  }
}

function remember(set: Set<string>, key: string): void {
  if (set.size >= REMEMBERED_IDS) set.delete(set.values().next().value as string);
  set.add(key);
}
