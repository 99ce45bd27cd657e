const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z/-]/;

/**
 * Reads the auth-params of the challenge with the given scheme from a `WWW-Authenticate`
 * header (RFC 9110 §11.6.1), e.g. `Bearer realm="latchkey", error="insufficient_scope",
 * scope="media:write"` → `{ realm: 'latchkey', error: 'insufficient_scope', scope: 'media:write' }`.
 * Quoted strings may hold commas and backslash escapes; other challenges in the same header are
 * skipped. `undefined` when the header has no challenge of that scheme.
 *
 * @internal
 */
export function parseChallenge(header: string | null | undefined, scheme: string): Record<string, string> | undefined {
  if (!header) return undefined;
  const challenges = new Map<string, Record<string, string>>();
  let current: Record<string, string> | undefined;
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < header.length && chars.test(header[i]!)) i++;
  };
  const token = () => {
    const start = i;
    while (i < header.length && TOKEN_CHAR.test(header[i]!)) i++;
    return header.slice(start, i);
  };
  while (i < header.length) {
    skip(/[\s,]/);
    const name = token();
    if (!name) {
      i++; // A character no grammar allows here: step over it rather than loop forever.
      continue;
    }
    skip(/\s/);
    if (header[i] !== '=') {
      // A new challenge's scheme.
      current = {};
      if (!challenges.has(name.toLowerCase())) challenges.set(name.toLowerCase(), current);
      continue;
    }
    i++;
    skip(/\s/);
    let value: string;
    if (header[i] === '"') {
      i++;
      value = '';
      while (i < header.length && header[i] !== '"') {
        if (header[i] === '\\' && i + 1 < header.length) i++;
        value += header[i];
        i++;
      }
      i++;
    } else {
      value = token();
      skip(/=/); // token68 padding
    }
    if (current) current[name.toLowerCase()] = value;
  }
  return challenges.get(scheme.toLowerCase());
}
