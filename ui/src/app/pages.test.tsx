import { act, render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { PageBoundary } from './PageBoundary';
import { chunk, page } from './pages';

const Hello = ({ who }: { who: string }) => <h1>Hello {who}</h1>;

/** A chunk whose import the test settles; `imports` counts the fetches. */
function controlled() {
  let settle: { resolve: (m: { Hello: typeof Hello }) => void; reject: (e: Error) => void } | undefined;
  const state = { imports: 0 };
  const c = chunk(() => {
    state.imports++;
    return new Promise<{ Hello: typeof Hello }>((resolve, reject) => {
      settle = { resolve, reject };
    });
  });
  return { c, state, settle: () => settle as NonNullable<typeof settle> };
}

describe('pages loaded on first visit', () => {
  it('shows a page whose code has loaded at once, with no "Loading…" first', async () => {
    const { c, settle, state } = controlled();
    const Page = page(c, (m) => m.Hello);
    const loading = c.load();
    await act(async () => {
      settle().resolve({ Hello });
      await loading;
    });
    const seen: string[] = [];
    const { container } = render(
      <PageBoundary>
        <Page who="Ada" />
      </PageBoundary>,
    );
    seen.push(container.textContent ?? '');
    expect(seen).toEqual(['Hello Ada']);
    expect(state.imports).toBe(1);
  });

  it('shows "Loading…" while the code is on its way, then the page; the code is fetched once', async () => {
    const { c, settle, state } = controlled();
    const Page = page(c, (m) => m.Hello);
    render(
      <PageBoundary>
        <Page who="Grace" />
      </PageBoundary>,
    );
    expect(screen.getByText('Loading…')).toBeTruthy();
    void c.load();
    await act(async () => settle().resolve({ Hello }));
    expect((await screen.findByRole('heading')).textContent).toBe('Hello Grace');
    expect(state.imports).toBe(1);
  });

  it('says the page could not load and offers a reload when its code fails; a later load fetches again', async () => {
    const { c, settle, state } = controlled();
    const Page = page(c, (m) => m.Hello);
    render(
      <PageBoundary>
        <Page who="Linus" />
      </PageBoundary>,
    );
    await act(async () => settle().reject(new Error('Failed to fetch dynamically imported module')));
    const failed = await screen.findByTestId('page-failed');
    expect(failed.textContent).toContain('Failed to fetch dynamically imported module');
    expect(screen.getByRole('button', { name: 'Reload' })).toBeTruthy();
    void c.load().catch(() => {});
    expect(state.imports).toBe(2);
  });
});
