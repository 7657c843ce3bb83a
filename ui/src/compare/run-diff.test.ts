import { describe, expect, it } from 'vitest';
import { toRunSummary } from '../lib/model';
import { runSummary } from '../test/fixtures';
import { matchesRunText } from './run-diff';

describe('matchesRunText', () => {
  const refund = toRunSummary(runSummary({ runName: 'refund', runInput: 'Refund request for 20.00 USD' }));
  const unnamed = toRunSummary(runSummary({ runInput: 'Where is order 4411?' }));

  it('finds a run to compare with by its name, its input or its agent, every word in any case', () => {
    expect(matchesRunText(refund, 'REFUND 20.00')).toBe(true);
    expect(matchesRunText(unnamed, 'billing 4411')).toBe(true);
    expect(matchesRunText(unnamed, 'refund')).toBe(false);
    expect(matchesRunText(unnamed, '   ')).toBe(true);
  });
});
