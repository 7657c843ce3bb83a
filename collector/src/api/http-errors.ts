import {
  BadInputError,
  ForbiddenError,
  NotFoundError,
  OverloadedError,
  PayloadTooLargeError,
  StoreUnavailableError,
  UnauthorizedError,
  UnsupportedError,
} from '../errors/errors.js';

export interface HttpError {
  status: 400 | 401 | 403 | 404 | 413 | 415 | 429 | 500 | 501 | 503;
  code: string;
  message: string;
  retryAfterSeconds?: number;
}

/** The one place where errors become HTTP statuses. Unknown errors are 500 and never leak details. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof PayloadTooLargeError) return { status: 413, code: 'payload_too_large', message: err.message };
  if (err instanceof BadInputError) return { status: 400, code: 'bad_request', message: err.message };
  if (err instanceof UnsupportedError) return { status: err.status, code: 'unsupported', message: err.message };
  if (err instanceof UnauthorizedError) return { status: 401, code: 'unauthorized', message: err.message };
  if (err instanceof ForbiddenError) return { status: 403, code: 'forbidden', message: err.message };
  if (err instanceof NotFoundError) return { status: 404, code: 'not_found', message: err.message };
  if (err instanceof OverloadedError) {
    return { status: 429, code: 'overloaded', message: err.message, retryAfterSeconds: err.retryAfterSeconds };
  }
  if (err instanceof StoreUnavailableError) {
    const reason = err.publicReason ? ` (${err.publicReason})` : '';
    return {
      status: 503,
      code: 'store_unavailable',
      message: `storage is unavailable${reason}, retry later`,
      retryAfterSeconds: err.retryAfterSeconds ?? 5,
    };
  }
  if (isNamed(err, 'QueueFullError')) {
    return { status: 429, code: 'overloaded', message: 'ingest queue is full, retry later', retryAfterSeconds: 1 };
  }
  return { status: 500, code: 'internal', message: 'internal error' };
}

function isNamed(err: unknown, name: string): boolean {
  return err instanceof Error && err.name === name;
}
