import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeStep } from '../lib/step-fixture';
import { DataFlowPanel } from './DataFlowPanel';

const steps = [
  makeStep({ spanId: 'ret', kind: 'retrieval', documentIds: ['kb-7731'], startNs: 10n, endNs: 20n }),
  makeStep({ spanId: 'send', kind: 'tool', toolName: 'send_email', toolRisk: 'external', startNs: 40n, endNs: 50n }),
  makeStep({ spanId: 'pay', kind: 'tool', toolName: 'pay', toolRisk: 'irreversible', startNs: 60n, endNs: 70n }),
];

describe('the data flow panel', () => {
  it('counts the high-risk calls folded, and lists each with its inputs only once opened', () => {
    const { container } = render(<DataFlowPanel steps={steps} stepHref={(id) => `/s/${id}`} />);
    expect(screen.getByText('Data flow into 2 high-risk calls')).toBeTruthy();
    // Folded: the list is not built (a long run's list is thousands of rows).
    expect(screen.queryAllByTestId('data-flow-call')).toHaveLength(0);
    const details = container.querySelector('details') as HTMLDetailsElement;
    details.open = true;
    fireEvent(details, new Event('toggle'));
    const calls = screen.getAllByTestId('data-flow-call');
    expect(calls.map((c) => c.getAttribute('data-span-id'))).toEqual(['send', 'pay']);
    expect(calls[0]?.textContent).toContain('retrieved kb-7731');
    details.open = false;
    fireEvent(details, new Event('toggle'));
    expect(screen.queryAllByTestId('data-flow-call')).toHaveLength(0);
  });

  it('is left out for a run without a high-risk call', () => {
    const { container } = render(<DataFlowPanel steps={steps.slice(0, 1)} stepHref={(id) => `/s/${id}`} />);
    expect(container.innerHTML).toBe('');
  });
});
