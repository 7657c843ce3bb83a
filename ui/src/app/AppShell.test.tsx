import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ok, renderPage } from '../test/render-page';
import { AppShell } from './AppShell';
import { navigate } from './router';

const routes = {
  'GET /api/runs': () => ok({ runs: [] }),
  'GET /api/findings': () => ok({ findings: [] }),
  'GET /api/alerts/rules': () => ok({ rules: [] }),
  'GET /api/alerts/events': () => ok({ events: [] }),
};

const heading = () => screen.getByRole('heading', { level: 1 });

describe('navigation: titles and focus', () => {
  it('names each page in the tab title and moves focus to its heading after a navigation, not on first load', async () => {
    renderPage(<AppShell />, { path: '/runs?project=acme', routes });
    await screen.findByRole('heading', { level: 1, name: 'Runs' });
    // A lazy page commits outside act(): its effects (title, focus) run just after its heading shows.
    await waitFor(() => expect(document.title).toBe('Runs · Casefile'));
    expect(document.activeElement).toBe(document.body);

    fireEvent.click(screen.getByTestId('findings-link'));
    await screen.findByRole('heading', { level: 1, name: 'Findings' });
    await waitFor(() => expect(document.title).toBe('Findings · Casefile'));
    await waitFor(() => expect(document.activeElement).toBe(heading()));

    // Back: the previous page is shown and its heading takes focus.
    window.history.back();
    await screen.findByRole('heading', { level: 1, name: 'Runs' });
    await waitFor(() => expect(document.activeElement).toBe(heading()));
    expect(document.title).toBe('Runs · Casefile');
  });

  it('leaves focus where it is when only the query changes, and in a field the page focused itself', async () => {
    renderPage(<AppShell />, { path: '/alerts?project=acme', routes });
    await screen.findByRole('heading', { level: 1, name: 'Alert rules' });
    fireEvent.click(screen.getByTestId('search-link'));
    await screen.findByRole('heading', { level: 1, name: 'Search runs' });
    const text = screen.getByTestId('filter-q');
    await waitFor(() => expect(document.activeElement).toBe(text));

    fireEvent.click(screen.getByTestId('findings-link'));
    await screen.findByRole('heading', { level: 1, name: 'Findings' });
    await waitFor(() => expect(document.activeElement).toBe(heading()));
    const link = screen.getByTestId('findings-link');
    link.focus();
    act(() => navigate('/findings?project=acme&severity=high'));
    await screen.findByTestId('findings-empty');
    expect(document.activeElement).toBe(link);
  });

  it('says there is no such page', async () => {
    renderPage(<AppShell />, { path: '/nowhere?project=acme', routes });
    expect((await screen.findByTestId('not-found')).textContent).toContain('No page at /nowhere');
    expect(document.title).toBe('No such page · Casefile');
  });
});
