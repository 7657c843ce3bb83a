import { StoreUnavailableError } from '../errors/errors.js';

export interface DeadlineGuardOptions {
  /** Longest any one operation may take before it is aborted (→ StoreUnavailableError). */
  timeoutMs: number;
  /** An operation outstanding this long makes the guard ask the backend whether it is alive. */
  stallMs: number;
  /** How long the health check may take before the backend counts as hung. */
  pingTimeoutMs: number;
  /** A trivial request to the backend that rejects when it does not answer within `timeoutMs`. */
  ping(timeoutMs: number): Promise<void>;
  /** The backend's name in messages. */
  name: string;
}

export interface DeadlineGuard {
  /**
   * Runs `op` with a signal that aborts at the deadline (`timeoutMs`, default the guard's) or when
   * the backend is found hung.
   */
  run<T>(op: (signal: AbortSignal) => Promise<T>, timeoutMs?: number): Promise<T>;
  /** False while the backend failed its last health check (operations fail at once). */
  readonly healthy: boolean;
  close(): void;
}

/**
 * Per-operation deadlines and hang detection for a store behind the network. A stopped server
 * (SIGSTOP, a frozen VM, a black-holed route) accepts connections and never answers; waiting for
 * each request's own timeout would hold every caller for that long. Instead, as soon as an
 * operation has been outstanding `stallMs`, the guard pings the backend; a ping that does not
 * answer within `pingTimeoutMs` marks the backend down, aborts everything in flight and fails new
 * operations at once (→ 503 + Retry-After), while a ping every `stallMs` looks for the recovery.
 * A slow but alive backend answers pings, so long queries keep running up to `timeoutMs`.
 */
export function createDeadlineGuard(options: DeadlineGuardOptions): DeadlineGuard {
  const inFlight = new Map<number, number>(); // id → start time
  let nextId = 0;
  let generation = new AbortController();
  let healthy = true;
  let checking = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  function watch(): void {
    if (timer || closed) return;
    timer = setInterval(tick, Math.max(50, Math.floor(options.stallMs / 2)));
    timer.unref();
  }

  function tick(): void {
    if (!healthy) return void check();
    if (inFlight.size === 0) {
      if (timer) clearInterval(timer);
      timer = undefined;
      return;
    }
    const oldest = Math.min(...inFlight.values());
    if (Date.now() - oldest >= options.stallMs) void check();
  }

  async function check(): Promise<void> {
    if (checking) return;
    checking = true;
    try {
      await options.ping(options.pingTimeoutMs);
      healthy = true;
    } catch {
      if (healthy) {
        healthy = false;
        const hung = generation;
        generation = new AbortController();
        hung.abort(new StoreUnavailableError(`${options.name} did not answer a health check`));
      }
      watch();
    } finally {
      checking = false;
    }
  }

  return {
    async run(op, timeoutMs = options.timeoutMs) {
      if (!healthy) {
        watch();
        throw new StoreUnavailableError(`${options.name} is not answering (health check failed); retry later`);
      }
      const id = nextId++;
      const signal = AbortSignal.any([generation.signal, AbortSignal.timeout(timeoutMs)]);
      inFlight.set(id, Date.now());
      watch();
      try {
        return await op(signal);
      } catch (error) {
        if (!signal.aborted) throw error;
        const reason = signal.reason;
        if (reason instanceof StoreUnavailableError) throw new StoreUnavailableError(reason.message, { cause: error });
        throw new StoreUnavailableError(`${options.name} did not answer within ${timeoutMs} ms`, {
          cause: error,
        });
      } finally {
        inFlight.delete(id);
      }
    },
    get healthy() {
      return healthy;
    },
    close() {
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
