/**
 * Background work (detection, the hash chain, store writes) shares the event loop with the requests
 * it serves. A loop whose awaits all resolve at once (data already in memory) never gives the loop
 * back: a page of a thousand runs detected from memory is one task of a second or more, and every
 * request that arrives meanwhile waits for all of it. Such loops call `pauseIfLong()` between items:
 * once the work has run `TURN_MS` since any of them last paused, it waits for one turn of the event
 * loop (`setImmediate`, after pending I/O callbacks), so a request waits for at most about one slice.
 *
 * The clock is shared by every caller in the process: two background loops interleaved on the same
 * turn count as one. A loop that starts after the process was idle may pause once at once; that costs
 * a few microseconds.
 */

/** The longest stretch of background work between two turns of the event loop, ms. */
export const TURN_MS = 8;

let since = performance.now();

/** True once background work has run `budgetMs` since it last paused. */
export function turnIsLong(budgetMs: number = TURN_MS): boolean {
  return performance.now() - since >= budgetMs;
}

/** Waits for one turn of the event loop (pending I/O callbacks run first). */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => {
    setImmediate(() => {
      since = performance.now();
      resolve();
    });
  });
}

/** Waits for one turn of the event loop if the work has run `budgetMs` since it last paused. */
export function pauseIfLong(budgetMs: number = TURN_MS): Promise<void> | undefined {
  return turnIsLong(budgetMs) ? nextTurn() : undefined;
}

/** Items converted between two looks at the clock in `convertInTurns`. */
const CONVERT_STRIDE = 256;

/**
 * Appends `convert(item)` of every item to `out`, pausing for a turn of the event loop whenever the
 * work has run long: for the thousands of rows a store read answers at once.
 */
export async function convertInTurns<T, U>(items: Iterable<T>, convert: (item: T) => U, out: U[]): Promise<void> {
  let n = 0;
  for (const item of items) {
    out.push(convert(item));
    if (++n % CONVERT_STRIDE === 0) {
      await pauseIfLong();
    }
  }
}
