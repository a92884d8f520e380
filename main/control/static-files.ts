import { createReadStream, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * Serves the built UI: files by path, index.html for any other GET (SPA
 * routes), and a friendly page when the UI has not been built.
 */
export function serveStatic(dir: string | undefined, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'method_not_allowed', message: `${req.method} is not allowed here` } }));
    return;
  }
  if (!dir) {
    const body = notBuiltPage();
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...SECURITY_HEADERS });
    res.end(req.method === 'HEAD' ? undefined : body);
    return;
  }
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname);
  } catch {
    rel = '/';
  }
  const base = resolve(dir);
  const file = resolve(base, '.' + normalize(rel));
  let target = join(base, 'index.html');
  let immutable = false;
  if ((file === base || file.startsWith(base + sep)) && file !== base) {
    try {
      if (statSync(file).isFile()) {
        target = file;
        immutable = file.startsWith(join(base, 'assets') + sep);
      }
    } catch {
      /* not a file: SPA fallback */
    }
  }
  // unknown paths that look like files are 404s, not the app
  if (target.endsWith('index.html') && extname(rel) && !rel.endsWith('.html')) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found');
    return;
  }
  const size = statSync(target).size;
  res.writeHead(200, {
    'content-type': TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(target).on('error', () => res.destroy()).pipe(res);
}

function notBuiltPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Heavy Rotation</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#eee;padding:.1rem .3rem;border-radius:3px}</style>
</head><body>
<h1>Heavy Rotation is running</h1>
<p>The engine and the control server are up, but the user interface has not been built yet.</p>
<p>Build it with <code>npm run build</code> and reload this page.</p>
<p>The API is available under <code>/api/</code> and the control endpoints under <code>/control/</code>
(both need <code>Authorization: Bearer &lt;token&gt;</code>; the token is in <code>$TOPK_DATA_DIR/api-token</code>).</p>
</body></html>
`;
}
