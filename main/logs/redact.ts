/**
 * Removes secrets from log lines before they reach the ring or a file:
 * known secret values (the API token), GitHub tokens, bearer tokens,
 * Authorization headers, token-like query parameters, and values of
 * secret-named keys in JSON objects.
 */
export const REDACTED = '[redacted]';

const SECRET_KEY = /^(?:authorization|proxy-authorization|cookie|set-cookie|password|passwd|secret|client_?secret|api_?token|access_?token|refresh_?token|id_?token|token|bearer|private_?key|x-api-key)$/i;

const PATTERNS: [RegExp, string][] = [
  // GitHub tokens: classic (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained PATs
  [/\bgh[opusr]_[A-Za-z0-9]{16,}\b/g, REDACTED],
  [/\bgithub_pat_[A-Za-z0-9_]{20,}\b/g, REDACTED],
  // Authorization header values in any spelling: "Authorization: Bearer x", "authorization":"Basic y"
  [/(\bauthorization\b["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|token)\s+)?[^\s"',;}]+/gi, `$1${REDACTED}`],
  // bare bearer tokens
  [/\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, `$1${REDACTED}`],
  // query parameters and key=value pairs that carry secrets
  [/([?&;\s](?:token|access_token|refresh_token|id_token|api_token|client_secret|code_verifier|password)=)[^&\s"']+/gi, `$1${REDACTED}`],
];

export class Redactor {
  private secrets: string[] = [];

  constructor(secrets: (string | undefined)[] = []) {
    for (const s of secrets) this.addSecret(s);
  }

  /** Any later occurrence of this exact value is replaced (values shorter than 8 chars are ignored). */
  addSecret(value: string | undefined): void {
    if (!value || value.length < 8 || this.secrets.includes(value)) return;
    this.secrets.push(value);
    this.secrets.sort((a, b) => b.length - a.length);
  }

  text(s: string): string {
    let out = s;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
    return out;
  }

  /** Deep copy of a JSON value with secret-named keys blanked and every string passed through text(). */
  value(v: unknown, depth = 0): unknown {
    if (typeof v === 'string') return this.text(v);
    if (depth > 8 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => this.value(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = SECRET_KEY.test(k) && x !== null && x !== undefined && x !== '' ? REDACTED : this.value(x, depth + 1);
    }
    return out;
  }
}
