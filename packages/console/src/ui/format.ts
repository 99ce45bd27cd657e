const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(value: string | null | undefined, never = 'Never'): string {
  if (!value) return never;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : dateTime.format(date);
}

/** 86400 → "1 day", 3600 → "1 hour", 90 → "1 min 30 s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  if (seconds === 0) return '0 s';
  const parts: string[] = [];
  const units: [number, string, string][] = [
    [86400, 'day', 'days'],
    [3600, 'hour', 'hours'],
    [60, 'min', 'min'],
    [1, 's', 's'],
  ];
  let rest = Math.floor(seconds);
  for (const [size, one, many] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      parts.push(`${count} ${count === 1 ? one : many}`);
      rest -= count * size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/** "in 3 days" / "2 hours ago" for a date near now. */
export function relative(value: string | null | undefined, now = Date.now()): string {
  if (!value) return '';
  const delta = Math.round((new Date(value).getTime() - now) / 1000);
  const text = formatDuration(Math.abs(delta));
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

/** A datetime-local input's value (local time) as an ISO instant, or undefined when empty. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** A secret's or token's hint ("…Avvc"), whether or not the API already put the ellipsis in. */
export const hintText = (hint: string) => (hint.startsWith('…') ? hint : `…${hint}`);
