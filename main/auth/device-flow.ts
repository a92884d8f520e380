import type { DeviceCodeResponse, GitHubClient, TokenResponse } from './github-client';
import { GitHubOAuthError } from './github-client';
import type { DeviceFlowState, DeviceFlowStatus as DeviceFlowWire } from '../control/control-wire';

/** Time for the polling loop; tests pass a virtual clock. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError());
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export type { DeviceFlowState };

/** A device flow's status: the control server's wire shape before an account is saved (no user_id yet). */
export type DeviceFlowStatus = Omit<DeviceFlowWire, 'user_id'>;

/** How a device flow ended when it did not produce a token. `code` is GitHub's error code or ours. */
export class DeviceFlowError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DeviceFlowError';
  }
}

const MESSAGES: Record<string, string> = {
  expired_token: 'the code expired before it was entered; start the sign-in again',
  access_denied: 'the sign-in was cancelled on GitHub',
  incorrect_device_code: 'GitHub does not recognise this device code; start the sign-in again',
  unsupported_grant_type: 'GitHub rejected the grant type (unsupported_grant_type)',
  incorrect_client_credentials: 'GitHub does not know this OAuth client id (check TOPK_GITHUB_CLIENT_ID)',
  device_flow_disabled: 'the device flow is not enabled for this GitHub OAuth app',
  cancelled: 'the sign-in was cancelled',
};

/**
 * GitHub's OAuth device flow (RFC 8628 as GitHub documents it): ask for a
 * device + user code, show the user code, then poll the token endpoint no
 * faster than `interval`, adding 5 s (or taking GitHub's new `interval`) on
 * `slow_down`, until a token, `access_denied` or expiry.
 */
export class DeviceFlow {
  private code: DeviceCodeResponse | undefined;
  private _status: DeviceFlowStatus | undefined;
  private readonly abort = new AbortController();
  private expiresAt = 0;

  constructor(
    private readonly client: GitHubClient,
    private readonly opts: { scope?: string; clock?: Clock; maxTransientErrors?: number; onStatus?: (s: DeviceFlowStatus) => void } = {},
  ) {}

  private get clock(): Clock {
    return this.opts.clock ?? realClock;
  }

  get status(): DeviceFlowStatus | undefined {
    return this._status ? { ...this._status } : undefined;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Step 1: the codes to show. */
  async start(): Promise<DeviceFlowStatus> {
    let code: DeviceCodeResponse;
    try {
      code = await this.client.requestDeviceCode(this.opts.scope ?? 'read:user', this.abort.signal);
    } catch (err) {
      if (err instanceof GitHubOAuthError) throw new DeviceFlowError(err.code, MESSAGES[err.code] ?? err.message);
      throw err;
    }
    this.code = code;
    this.expiresAt = this.clock.now() + code.expires_in * 1000;
    this.update({
      user_code: code.user_code,
      verification_uri: code.verification_uri,
      expires_at: new Date(this.expiresAt).toISOString(),
      interval: code.interval,
      state: 'pending',
    });
    return this.status!;
  }

  /** Step 2: poll until a token, or throw DeviceFlowError. */
  async wait(): Promise<TokenResponse> {
    if (!this.code) throw new Error('DeviceFlow.wait() before start()');
    const code = this.code;
    let interval = code.interval;
    let transient = 0;
    const maxTransient = this.opts.maxTransientErrors ?? 5;
    try {
      for (;;) {
        await this.clock.sleep(interval * 1000, this.abort.signal);
        if (this.clock.now() >= this.expiresAt) throw new DeviceFlowError('expired_token', MESSAGES.expired_token!);
        let r;
        try {
          r = await this.client.pollDeviceToken(code.device_code, this.abort.signal);
          transient = 0;
        } catch (err) {
          if (this.abort.signal.aborted) throw err;
          // network hiccup or 5xx: keep polling at the same pace, a few times
          if (++transient > maxTransient) throw new DeviceFlowError('network', `cannot reach GitHub: ${(err as Error).message}`);
          continue;
        }
        if (r.ok) {
          this.update({ state: 'approved' });
          return r.token;
        }
        switch (r.error) {
          case 'authorization_pending':
            this.update({ state: 'pending' });
            break;
          case 'slow_down':
            interval = r.interval !== undefined && r.interval > interval ? r.interval : interval + 5;
            this.update({ state: 'slow_down', interval });
            break;
          default:
            throw new DeviceFlowError(r.error, MESSAGES[r.error] ?? r.description ?? r.error);
        }
      }
    } catch (err) {
      const e = this.abort.signal.aborted ? new DeviceFlowError('cancelled', MESSAGES.cancelled!) : err;
      if (e instanceof DeviceFlowError) {
        const state: DeviceFlowState =
          e.code === 'access_denied' ? 'denied' : e.code === 'expired_token' ? 'expired' : e.code === 'cancelled' ? 'cancelled' : 'error';
        this.update({ state, error: e.message });
      } else {
        this.update({ state: 'error', error: (e as Error).message });
      }
      throw e;
    }
  }

  cancel(): void {
    this.abort.abort();
  }

  private update(patch: Partial<DeviceFlowStatus>): void {
    this._status = { ...(this._status as DeviceFlowStatus), ...patch };
    this.opts.onStatus?.(this.status!);
  }
}

function abortError(): Error {
  const e = new Error('aborted');
  e.name = 'AbortError';
  return e;
}
