// Per-call deadlines without a timer per call. All calls of one method share one deadline length
// and are added in arrival order, so a plain FIFO list per length is already sorted by expiry; one
// timer per list, armed for its head, replaces a setTimeout/clearTimeout pair (and a Timeout
// object) per call. Precision is the same as setTimeout's: never early, at most a millisecond or so late.

/** An entry in a DeadlineList; the dispatcher's call object is the entry itself (no allocation). */
export interface DeadlineEntry {
  deadlineAt: number;
  deadlinePrev: DeadlineEntry | null;
  deadlineNext: DeadlineEntry | null;
  /** Set while the entry is in a list. */
  deadlineList: DeadlineList | null;
  expire(): void;
}

export class DeadlineList {
  private head: DeadlineEntry | null = null;
  private tail: DeadlineEntry | null = null;
  private timer: NodeJS.Timeout | null = null;

  /**
   * @param onError told when an expiry throws (a listener further down); the other expiries go on.
   *   By default the error is rethrown on its own, as its own setTimeout would have done.
   */
  constructor(
    readonly ms: number,
    private readonly onError: (error: unknown, entry: DeadlineEntry) => void = rethrowLater,
  ) {
    // A NaN or zero length would never expire anything and re-arm a 1 ms timer forever.
    if (!Number.isFinite(ms) || ms < 1) throw new RangeError(`A deadline must be at least 1 ms (got ${ms}).`);
  }

  add(entry: DeadlineEntry, now: number): void {
    entry.deadlineAt = now + this.ms;
    entry.deadlineList = this;
    entry.deadlinePrev = this.tail;
    entry.deadlineNext = null;
    if (this.tail) this.tail.deadlineNext = entry;
    else this.head = entry;
    this.tail = entry;
    // Entries are added in time order, so only an empty list needs a timer (for this new head).
    this.timer ??= setTimeout(this.fire, this.ms);
  }

  remove(entry: DeadlineEntry): void {
    if (entry.deadlineList !== this) return;
    const { deadlinePrev: prev, deadlineNext: next } = entry;
    if (prev) prev.deadlineNext = next;
    else this.head = next;
    if (next) next.deadlinePrev = prev;
    else this.tail = prev;
    entry.deadlinePrev = null;
    entry.deadlineNext = null;
    entry.deadlineList = null;
    // Nothing left to time: no timer keeps the process alive (as with a cleared setTimeout).
    if (!this.head && this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
  }

  private readonly fire = (): void => {
    this.timer = null;
    const now = performance.now();
    // setTimeout measures from the event loop's cached clock, which can run a fraction of a
    // millisecond behind performance.now(): never expire an entry before its time.
    let head = this.head;
    while (head && head.deadlineAt <= now) {
      this.remove(head);
      // One expiry that throws must not leave the rest untimed, holding their concurrency slots.
      try {
        head.expire();
      } catch (error) {
        this.onError(error, head);
      }
      head = this.head;
    }
    // Armed for the head whatever happened meanwhile (an add() during an expiry arms for a full length).
    if (this.timer) clearTimeout(this.timer);
    this.timer = head ? setTimeout(this.fire, Math.max(1, Math.ceil(head.deadlineAt - now))) : null;
  };
}

/** Reports an error as uncaught, like a throwing timer callback, without stopping the caller's loop. */
export function rethrowLater(error: unknown): void {
  queueMicrotask(() => {
    throw error;
  });
}
