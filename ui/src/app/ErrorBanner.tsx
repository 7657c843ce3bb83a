import { ApiError } from '../lib/http';

/** Shows an error's message as text; server messages may echo user input, so never as HTML. */
export function ErrorBanner({ error }: { error: Error }) {
  const code = error instanceof ApiError ? `${error.status} ${error.code}` : error.name;
  return (
    <div className="error-banner" role="alert" data-testid="error-banner">
      <strong>{code}</strong> {error.message}
    </div>
  );
}
