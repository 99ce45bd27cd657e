import { AppError } from '../../errors.ts';

/** The parameters of RFC 6749 §4.4.2 and RFC 8707 that the token endpoint reads; others are ignored (§3.2). */
export const TOKEN_PARAMETERS = ['grant_type', 'client_id', 'client_secret', 'audience', 'scope'] as const;
/** What introspection (RFC 7662 §2.1) and revocation (RFC 7009 §2.1) read, client authentication included. */
export const TOKEN_MANAGEMENT_PARAMETERS = ['client_id', 'client_secret', 'token', 'token_type_hint'] as const;
type Known = (typeof TOKEN_PARAMETERS)[number] | (typeof TOKEN_MANAGEMENT_PARAMETERS)[number];

export interface TokenParams {
  grant_type?: string;
  client_id?: string;
  client_secret?: string;
  audience?: string;
  scope?: string;
  token?: string;
  token_type_hint?: string;
  /** RFC 8707 §2: may repeat. */
  resource: string[];
}

interface ParameterSet {
  names: ReadonlySet<string>;
  /** `"name"` of every member whose repetition must be detected in a JSON body. */
  quoted: readonly string[];
}

const parameterSet = (names: readonly string[]): ParameterSet => ({
  names: new Set(names),
  quoted: [...names, 'resource'].map((name) => `"${name}"`),
});
export const TOKEN_REQUEST = parameterSet(TOKEN_PARAMETERS);
export const TOKEN_MANAGEMENT_REQUEST = parameterSet(TOKEN_MANAGEMENT_PARAMETERS);

const bad = (description: string) => new AppError('invalid_request', description);

function mediaType(contentType: string | undefined): string {
  if (!contentType) return '';
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * Parses the body of a token request into its parameters. Both encodings follow RFC 6749 §3.2:
 * an empty value counts as omitted, unknown parameters are ignored, a known one given twice is
 * `invalid_request`, except `resource`.
 */
export function parseTokenBody(contentType: string | undefined, body: string, known: ParameterSet = TOKEN_REQUEST): TokenParams {
  const type = mediaType(contentType);
  if (type === 'application/x-www-form-urlencoded') return parseForm(body, known);
  if (type === 'application/json') return parseJson(body, known);
  throw bad('Content-Type must be application/x-www-form-urlencoded or application/json');
}

function parseForm(body: string, known: ParameterSet): TokenParams {
  const params: TokenParams = { resource: [] };
  const seen = new Set<string>();
  // URLSearchParams decodes `+` as space and %XX as UTF-8, as the form encoding requires.
  for (const [name, value] of new URLSearchParams(body)) {
    if (name === 'resource') {
      if (value) params.resource.push(value);
      continue;
    }
    if (!known.names.has(name)) continue;
    // An empty value counts as omitted (RFC 6749 §3.2), so it does not make a later one a repeat.
    if (value === '') continue;
    if (seen.has(name)) throw bad(`The "${name}" parameter is repeated`);
    seen.add(name);
    params[name as Known] = value;
  }
  return params;
}

function parseJson(text: string, known: ParameterSet): TokenParams {
  // RFC 8259 §8.1: a parser may ignore a byte order mark rather than treat it as an error.
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw bad('The request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw bad('The request body must be a JSON object');
  // JSON.parse keeps the last of duplicate keys silently. When the body could repeat one (a known
  // name twice, or any escape sequence), its top-level members are read one by one instead, so a
  // repeat is refused and every `resource` is seen.
  const entries = mayRepeatKeys(body, known) ? topLevelEntries(body) : Object.entries(parsed as Record<string, unknown>);
  const params: TokenParams = { resource: [] };
  const seen = new Set<string>();
  for (const [name, value] of entries) {
    if (name === 'resource') {
      const values = Array.isArray(value) ? value : [value];
      for (const item of values) {
        if (typeof item !== 'string') throw bad('"resource" must be a string or an array of strings');
        if (item) params.resource.push(item);
      }
      continue;
    }
    // Unknown parameters are ignored whatever their type (RFC 6749 §3.2); known ones are strings.
    if (!known.names.has(name)) continue;
    if (typeof value !== 'string') throw bad(`The "${name}" parameter must be a string`);
    // An empty value counts as omitted, so it does not make a later one a repeat.
    if (value === '') continue;
    if (seen.has(name)) throw bad(`The "${name}" parameter is repeated`);
    seen.add(name);
    params[name as Known] = value;
  }
  return params;
}

function mayRepeatKeys(body: string, known: ParameterSet): boolean {
  if (body.includes('\\')) return true;
  for (const needle of known.quoted) if (body.indexOf(needle) !== body.lastIndexOf(needle)) return true;
  return false;
}

/**
 * The members of a JSON object's top level, in order, duplicates included, keys and values
 * decoded. `body` is known to be valid JSON (JSON.parse accepted it), so this only has to track
 * strings and nesting.
 */
export function topLevelEntries(body: string): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = [];
  let depth = 0;
  let expectKey = false;
  let key: string | null = null;
  let valueStart = -1;
  const close = (end: number) => {
    if (key !== null && valueStart >= 0) entries.push([key, JSON.parse(body.slice(valueStart, end))]);
    key = null;
    valueStart = -1;
  };
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (char === '"') {
      let end = i + 1;
      while (body[end] !== '"') end += body[end] === '\\' ? 2 : 1;
      if (depth === 1 && expectKey) {
        key = JSON.parse(body.slice(i, end + 1)) as string;
        expectKey = false;
      }
      i = end;
    } else if (char === ':' && depth === 1 && valueStart < 0) {
      valueStart = i + 1;
    } else if (char === '{' || char === '[') {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (char === '}' || char === ']') {
      if (depth === 1) close(i);
      depth--;
    } else if (char === ',' && depth === 1) {
      close(i);
      expectKey = true;
    }
  }
  return entries;
}

/** Credentials belong in the body or the Authorization header, never in a URL that gets logged. */
export function refuseQueryCredentials(url: string): void {
  const query = url.indexOf('?');
  if (query === -1) return;
  const params = new URLSearchParams(url.slice(query + 1));
  if (params.has('client_secret') || params.has('client_id')) {
    throw bad('Credentials must not be sent in the query string; send them in the request body or an Authorization: Basic header');
  }
}
