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

export { StoreUnavailableError } from '../store/port.js';
