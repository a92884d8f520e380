import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GitHubClient, TokenResponse } from './github-client';

/**
 * The web application flow for an OAuth app that has a secret: a one-shot
 * listener on 127.0.0.1:<ephemeral port>/callback, `state` against CSRF and
 * PKCE (S256) against code interception. GitHub accepts any port on a
 * loopback redirect URI.
 */

export class LoopbackFlowError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'LoopbackFlowError';
  }
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url'); // 64 chars, within 43..128
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface LoopbackHandle {
  /** open this in the browser */
  authorizeUrl: string;
  redirectUri: string;
  /** resolves with the token once the browser comes back, or rejects */
  token: Promise<TokenResponse>;
  cancel(): void;
}

export async function startLoopbackFlow(
  client: GitHubClient,
  opts: { githubUrl: string; scope?: string; timeoutMs?: number },
): Promise<LoopbackHandle> {
  const state = randomBytes(24).toString('base64url');
  const { verifier, challenge } = pkcePair();
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  const u = new URL(`${opts.githubUrl}/login/oauth/authorize`);
  u.searchParams.set('client_id', client.requireClientId());
  u.searchParams.set('redirect_uri', redirectUri);
  u.searchParams.set('scope', opts.scope ?? 'read:user');
  u.searchParams.set('state', state);
  u.searchParams.set('code_challenge', challenge);
  u.searchParams.set('code_challenge_method', 'S256');
  u.searchParams.set('allow_signup', 'false');

  let settle!: { resolve: (t: TokenResponse) => void; reject: (e: Error) => void };
  const token = new Promise<TokenResponse>((resolve, reject) => (settle = { resolve, reject }));
  // the browser may answer before the caller awaits: do not let that count as unhandled
  token.catch(() => undefined);
  let done = false;
  const finish = (err: Error | undefined, t?: TokenResponse) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
    if (err) settle.reject(err);
    else settle.resolve(t!);
  };
  const timer = setTimeout(() => finish(new LoopbackFlowError('timeout', 'no answer from the browser in time')), opts.timeoutMs ?? 5 * 60_000);
  timer.unref();

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', redirectUri);
    if (req.method !== 'GET' || url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    const page = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`<!doctype html><meta charset="utf-8"><title>Heavy Rotation</title><p>${text}</p>`);
    };
    const gotState = url.searchParams.get('state') ?? '';
    if (!safeEqual(gotState, state)) {
      // a forged or stale callback: refuse it but keep waiting for the real one
      page(400, 'This sign-in link does not belong to the running sign-in.');
      return;
    }
    const error = url.searchParams.get('error');
    if (error) {
      page(200, 'Sign-in cancelled. You can close this tab.');
      finish(new LoopbackFlowError(error, url.searchParams.get('error_description') ?? error));
      return;
    }
    const code = url.searchParams.get('code');
    if (!code) {
      page(400, 'GitHub sent no code.');
      finish(new LoopbackFlowError('no_code', 'the callback carried no code'));
      return;
    }
    client.exchangeCode({ code, redirectUri, codeVerifier: verifier }).then(
      (t) => {
        page(200, 'Signed in to Heavy Rotation. You can close this tab.');
        finish(undefined, t);
      },
      (err: Error & { code?: string }) => {
        page(400, 'Sign-in failed. Go back to Heavy Rotation for details.');
        finish(new LoopbackFlowError(err.code ?? 'exchange_failed', err.message));
      },
    );
  });

  return { authorizeUrl: u.toString(), redirectUri, token, cancel: () => finish(new LoopbackFlowError('cancelled', 'the sign-in was cancelled')) };
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
