import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { type Call, fail, ok, renderPage, user } from '../test/render-page';
import { DetectionSettingsPage } from './DetectionSettingsPage';

const RULES = [{ id: 'outbound.sensitive_data' }, { id: 'approval.hash_mismatch' }];
const entry = (detail: string) => ({
  timeNs: '1795290164691000000',
  actor: 'admin',
  action: 'settings.update',
  target: 'settings',
  detail,
});

describe('detection settings states', () => {
  it('tells a non-admin the page needs the admin role, and asks the server nothing', async () => {
    const calls: Call[] = [];
    renderPage(<DetectionSettingsPage project="acme" />, {
      path: '/findings/settings?project=acme',
      user: user('investigator'),
      calls,
      routes: {},
    });
    expect((await screen.findByTestId('settings-forbidden')).textContent).toContain('need the admin role');
    expect(calls).toEqual([]);
  });

  it("keeps the draft and shows the server's message when a save is refused; a good save refetches the audit log", async () => {
    const calls: Call[] = [];
    const audit = [entry('{}')];
    renderPage(<DetectionSettingsPage project="acme" />, {
      path: '/findings/settings?project=acme',
      user: user('admin'),
      calls,
      routes: {
        'GET /api/detection/settings': () => ok({ settings: {}, rules: RULES }),
        'GET /api/detection/audit': () => ok({ entries: audit }),
        'PUT /api/detection/settings': (_url, body) => {
          const score = (body as { thresholds?: { flows?: { minScore?: number } } }).thresholds?.flows?.minScore;
          if (score !== undefined && score < 0) {
            return fail(400, 'bad_request', 'invalid detection settings: thresholds.flows.minScore: Too small');
          }
          audit.unshift(entry(JSON.stringify(body)));
          return ok({ settings: body });
        },
      },
    });
    const score = (await screen.findByTestId('threshold-flows.minScore')) as HTMLInputElement;
    fireEvent.change(score, { target: { value: '-1' } });
    fireEvent.click(screen.getByTestId('save-settings'));
    expect((await screen.findByTestId('error-banner')).textContent).toContain('thresholds.flows.minScore: Too small');
    expect(score.value).toBe('-1');
    expect(screen.queryByTestId('settings-saved')).toBeNull();

    fireEvent.change(score, { target: { value: '3' } });
    fireEvent.click(screen.getByTestId('save-settings'));
    await screen.findByTestId('settings-saved');
    await waitFor(() => expect(screen.getAllByTestId('audit-entry')).toHaveLength(2));
    expect(calls.filter((c) => c.url.pathname === '/api/detection/audit')).toHaveLength(2);
    expect((screen.getByTestId('save-settings') as HTMLButtonElement).disabled).toBe(true);
  });
});
