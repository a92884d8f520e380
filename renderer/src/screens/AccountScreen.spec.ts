// @vitest-environment jsdom
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { installFakeClient } from '../test-utils/fake-client';
import { session } from '../lib/session.svelte';
import AccountScreen from './AccountScreen.svelte';

const steps = ['Open https://github.com/settings/applications/new (GitHub → Settings → Developer settings → OAuth Apps → New OAuth App).', 'On the app\'s page tick "Enable Device Flow" and press "Update application".'];
const unconfigured = { configured: false, client_id: null, source: null, register_url: 'https://github.com/settings/applications/new', steps };

describe('AccountScreen sign-in without a GitHub OAuth App', () => {
  it('explains how to register one instead of offering a sign-in that cannot work, then takes the pasted client id', async () => {
    session.auth = { accounts: [], active: null };
    session.authLoaded = true;
    const { calls } = installFakeClient({
      'GET /control/auth/github-app': unconfigured,
      'PUT /control/auth/github-app': ({ body }: { body: unknown }) =>
        (body as { client_id: string }).client_id === 'nope'
          ? { status: 400, body: { error: { code: 'invalid_client_id', message: 'client_id must be the Client ID of a GitHub OAuth App', field: 'client_id' } } }
          : { ...unconfigured, configured: true, client_id: (body as { client_id: string }).client_id, source: 'config.json' },
    });
    render(AccountScreen);
    expect(await screen.findByText('Connect Heavy Rotation to GitHub')).toBeTruthy();
    expect(screen.getByText(/Enable Device Flow/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Sign in with GitHub/ })).toBeNull();

    const input = screen.getByLabelText(/Client ID of your OAuth App/);
    await fireEvent.input(input, { target: { value: 'nope' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save client ID' }));
    expect((await screen.findByRole('alert')).textContent).toContain('client_id must be the Client ID');

    await fireEvent.input(input, { target: { value: ' Ov23liAbcdefghijklmn ' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Save client ID' }));
    expect(await screen.findByRole('button', { name: /Sign in with GitHub/ })).toBeTruthy();
    expect(calls.filter((c) => c.method === 'PUT').map((c) => c.body)).toEqual([{ client_id: 'nope' }, { client_id: 'Ov23liAbcdefghijklmn' }]);
  });
});
