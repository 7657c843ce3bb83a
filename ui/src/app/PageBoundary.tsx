import { Component, type ReactNode, Suspense } from 'react';
import { ErrorBanner } from './ErrorBanner';

interface State {
  error: Error | null;
}

/**
 * Where a page loads: "Loading…" while its code arrives, and if the code cannot be loaded (the app was
 * redeployed, the network dropped) a message with a reload button instead of a blank screen. Keyed by
 * the route, so the next page starts afresh.
 */
export class PageBoundary extends Component<{ children: ReactNode }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override render() {
    if (this.state.error !== null) {
      return (
        <div className="page-status" data-testid="page-failed">
          <ErrorBanner error={this.state.error} />
          <button type="button" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      );
    }
    return <Suspense fallback={<div className="page-status">Loading…</div>}>{this.props.children}</Suspense>;
  }
}
