/**
 * Each component test starts from an empty page at `/` with empty storage and no navigation pending
 * (Testing Library does not clean up without test globals). The test files of `unit-dom` share one
 * module graph and one DOM, so whatever a test leaves behind — a mounted page, the URL, the router's
 * last shown path and pending focus, a stored token or column choice — would reach the next file. `findBy…`/`waitFor` wait up to 10 s instead of 1 s: a lazy page's first import can take
 * seconds on a machine busy with other work, and a test that waits longer still fails when the thing
 * never appears.
 */
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';
import { navigate } from '../app/router';

configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
  // Two replacing navigations: each changes the path, so the router forgets the path it last showed
  // and any focus a navigation left pending, and ends at `/`.
  navigate('/reset', { replace: true });
  navigate('/', { replace: true });
  localStorage.clear();
  sessionStorage.clear();
  document.title = '';
});
