/**
 * Each component test starts from an empty page at `/` (Testing Library does not clean up without test
 * globals). `findBy…`/`waitFor` wait up to 10 s instead of 1 s: a lazy page's first import can take
 * seconds on a machine busy with other work, and a test that waits longer still fails when the thing
 * never appears.
 */
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

configure({ asyncUtilTimeout: 10_000 });

afterEach(() => {
  cleanup();
  window.history.replaceState(null, '', '/');
  document.title = '';
});
