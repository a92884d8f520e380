/**
 * RFC 8288 `Link` header as GitHub sends it for pagination:
 * `<https://api.github.com/user/following?page=2>; rel="next", <…?page=5>; rel="last"`.
 * Returns rel → URL. A link may carry several space-separated rels.
 */
export function parseLinkHeader(header: string | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  // split on commas that start a new <...> entry (URLs may contain commas)
  for (const part of header.split(/,\s*(?=<)/)) {
    const m = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
    if (!m) continue;
    const rel = /(?:^|;)\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(m[2]!);
    const rels = (rel?.[1] ?? rel?.[2] ?? '').split(/\s+/).filter(Boolean);
    for (const r of rels) out[r.toLowerCase()] ??= m[1]!;
  }
  return out;
}
