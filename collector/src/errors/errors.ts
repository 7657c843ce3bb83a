/**
 * The error roots of the collector. `api/` maps them to HTTP in one place (`api/http-errors.ts`);
 * everything else throws these with a message that says what is wrong and a `cause` when there is one.
 */
export class BadInputError extends Error {
  override name = 'BadInputError';
}

/** The request is well-formed but asks for something this server does not do. */
export class UnsupportedError extends Error {
  override name = 'UnsupportedError';
  constructor(
    message: string,
    readonly status: 415 | 501 = 501,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class PayloadTooLargeError extends BadInputError {
  override name = 'PayloadTooLargeError';
}

export class UnauthorizedError extends Error {
  override name = 'UnauthorizedError';
}

export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** Back-pressure: the ingest queue is full. Retryable (429 + Retry-After). */
export class OverloadedError extends Error {
  override name = 'OverloadedError';
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
  ) {
    super(message);
  }
}

/** The store cannot be reached or refused the work for now (→ 503 + Retry-After). Retryable. */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  /** When to try again, if the store knows better than the default (5 s). */
  readonly retryAfterSeconds: number | undefined;
  /** Said to the client after "storage is unavailable": what is wrong, without internals. */
  readonly publicReason: string | undefined;
  constructor(message: string, options?: ErrorOptions & { retryAfterSeconds?: number; publicReason?: string }) {
    super(message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.publicReason = options?.publicReason;
  }
}

/** A statement the backend rejected. Keeps the (truncated) SQL and the driver's error as `cause`. */
export class StoreQueryError extends Error {
  override name = 'StoreQueryError';
  readonly sql: string;
  constructor(message: string, sql: string, options?: ErrorOptions) {
    const shown = sql.length > 500 ? `${sql.slice(0, 500)}… (${sql.length} chars)` : sql;
    super(`${message}\n  in: ${shown}`, options);
    this.sql = shown;
  }
}
