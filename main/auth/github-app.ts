import { saveConfigSetting } from '../../engine/shared/config';
import type { GitHubAppStatus } from '../control/control-wire';

/**
 * The GitHub OAuth App Heavy Rotation signs in with. There is no built-in
 * one: each installation registers its own (a minute on github.com) and
 * pastes its client id, which is saved in `$TOPK_DATA_DIR/config.json`;
 * `TOPK_GITHUB_CLIENT_ID` in the environment wins over the file.
 */

/** What the sign-in screen and `topk login` show about the OAuth App: a control-server wire shape. */
export type { GitHubAppStatus };

export class ClientIdError extends Error {
  readonly field = 'client_id';
}

/** Asked to sign in while no OAuth App client id is configured. */
export class GitHubNotConfiguredError extends Error {
  constructor() {
    super('no GitHub OAuth App is configured: register one with device flow enabled and paste its client id (see the sign-in screen or `topk login`)');
    this.name = 'GitHubNotConfiguredError';
  }
}

// GitHub client ids: 20 characters ("Ov23li…", older hex ids) or "Iv1." + 16 hex for GitHub Apps
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{5,63}$/;

/** A pasted client id, trimmed; ClientIdError when it cannot be one. */
export function parseClientId(raw: unknown): string {
  const id = typeof raw === 'string' ? raw.trim() : '';
  if (!CLIENT_ID.test(id)) {
    throw new ClientIdError('client_id must be the Client ID of a GitHub OAuth App (6 to 64 letters, digits, ".", "_" or "-", e.g. Ov23li…), not its secret');
  }
  return id;
}

export function registerUrl(githubUrl: string): string {
  return `${githubUrl.replace(/\/+$/, '')}/settings/applications/new`;
}

export function registrationSteps(githubUrl: string): string[] {
  return [
    `Open ${registerUrl(githubUrl)} (GitHub → Settings → Developer settings → OAuth Apps → New OAuth App).`,
    'Application name: Heavy Rotation (any name). Homepage URL: any address, e.g. http://127.0.0.1. Authorization callback URL: http://127.0.0.1/callback (the device flow does not use it). Register application.',
    'On the app\'s page tick "Enable Device Flow" and press "Update application".',
    'Copy the Client ID (no client secret is needed) and paste it here.',
  ];
}

export function githubAppStatus(clientId: string | undefined, fromEnv: boolean, githubUrl: string): GitHubAppStatus {
  return {
    configured: !!clientId,
    client_id: clientId ?? null,
    source: clientId ? (fromEnv ? 'environment' : 'config.json') : null,
    register_url: registerUrl(githubUrl),
    steps: registrationSteps(githubUrl),
  };
}

/** Saves the client id in `config.json`, keeping every other setting in it. */
export function saveClientId(dataDir: string, id: string): void {
  saveConfigSetting(dataDir, 'githubClientId', id);
}
