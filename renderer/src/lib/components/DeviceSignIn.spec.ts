// @vitest-environment jsdom
import { render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { installFakeClient } from '../../../../test/renderer/fake-client';
import DeviceSignIn from './DeviceSignIn.svelte';

describe('DeviceSignIn', () => {
  it('shows the code large, then completes when GitHub approves', async () => {
    let polls = 0;
    installFakeClient({
      'POST /control/auth/device': { status: 201, body: { user_code: 'ABCD-1234', verification_uri: 'https://github.com/login/device', expires_in: 900, interval: 5 } },
      'GET /control/auth/device': () => (++polls < 2 ? { user_code: 'ABCD-1234', verification_uri: 'x', expires_at: new Date(Date.now() + 9e5).toISOString(), interval: 5, state: 'pending' } : { user_code: 'ABCD-1234', verification_uri: 'x', expires_at: '', interval: 5, state: 'approved', user_id: 'octocat' }),
      'GET /control/auth': { accounts: [{ user_id: 'octocat', login: 'octocat', name: 'Octo', avatar_url: '', active: true }], active_user_id: 'octocat' },
    });
    let done: string | undefined;
    render(DeviceSignIn, { pollMs: 10, ondone: (id: string | undefined) => (done = id) });
    screen.getByRole('button', { name: /Sign in with GitHub/ }).click();
    expect((await screen.findByLabelText('Your GitHub device code')).textContent).toBe('ABCD-1234');
    expect(screen.getByRole('button', { name: /Copy code/ })).toBeTruthy();
    expect(screen.getByRole('button', { name: /Open GitHub/ })).toBeTruthy();
    expect(screen.getByText(/Waiting for you to enter the code/)).toBeTruthy();
    await screen.findByText('Signed in.');
    await waitFor(() => expect(done).toBe('octocat'));
  });

  it('explains an expired code and offers a new one', async () => {
    installFakeClient({
      'POST /control/auth/device': { status: 201, body: { user_code: 'ABCD-1234', verification_uri: 'https://github.com/login/device', expires_in: 900, interval: 5 } },
      'GET /control/auth/device': { user_code: 'ABCD-1234', verification_uri: 'x', expires_at: '', interval: 5, state: 'expired' },
    });
    render(DeviceSignIn, { pollMs: 10 });
    screen.getByRole('button', { name: /Sign in with GitHub/ }).click();
    expect((await screen.findByRole('alert')).textContent).toContain('expired');
    expect(screen.getByRole('button', { name: /Get a new code/ })).toBeTruthy();
  });
});
