/**
 * A tiny cookie jar for the scenario suite: one origin, name → value, honouring
 * deletion by Max-Age=0 and nothing else. Expires is ignored: Max-Age wins
 * over it (RFC 6265bis §5.6.2), and the fixture's Expires dates come from its
 * ManualClock, not the wall clock.
 */

export class CookieJar {
  readonly cookies = new Map<string, string>();

  /** Take in a response's Set-Cookie headers. */
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [k = '', v = ''] = a.split('=').map((s) => s.trim());
        return k.toLowerCase() === 'max-age' && Number(v) <= 0;
      });
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name);
  }

  /** The Cookie request header, or `undefined` when the jar is empty. */
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}
