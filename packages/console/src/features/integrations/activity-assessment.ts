import type { Activity } from '../../api/endpoints.ts';

export interface ActivityFlag {
  level: 'warning' | 'info';
  title: string;
  detail: string;
}

interface Settings {
  tokenTtlSeconds: number;
  tokenReuseWindowSeconds: number;
}

/**
 * What a well-behaved caller needs: one token per scope set for every (TTL − reuse window) of
 * activity, since the server hands back the same token until only the reuse window is left.
 */
export function tokensNeeded(activeHours: number, settings: Settings): number {
  const usable = settings.tokenTtlSeconds - settings.tokenReuseWindowSeconds;
  if (usable <= 0) return Number.POSITIVE_INFINITY;
  return Math.ceil((activeHours * 3600) / usable) + 1;
}

/** Far more than needed: five times as many, and not a handful (a test run, a rotation). */
const FAR_MORE = 5;
const AT_LEAST = 10;

/**
 * Flags the patterns SPEC §3 asks the console to point out: minting far more tokens than reuse
 * needs, and asking for a token before nearly every call (a caller that throws its tokens away:
 * the server's reuse hides it, but each request is a round trip and a database-free hit at best).
 */
export function assessActivity(activity: Activity, settings: Settings): ActivityFlag[] {
  const flags: ActivityFlag[] = [];
  const active = activity.hours.filter((h) => h.minted + h.reused > 0).length;
  const { minted, reused, refused } = activity.totals;
  const requests = minted + reused;
  const reuseOff = settings.tokenReuseWindowSeconds >= settings.tokenTtlSeconds;
  const needed = tokensNeeded(active, settings);

  if (reuseOff) {
    if (minted > 0)
      flags.push({
        level: 'info',
        title: 'Token reuse is off in this environment.',
        detail: 'Its reuse window equals the token lifetime, so every request mints a new token. Shorten the reuse window in Settings to reuse tokens.',
      });
  } else if (minted >= AT_LEAST && minted > FAR_MORE * needed) {
    flags.push({
      level: 'warning',
      title: 'This integration mints far more tokens than reuse needs.',
      detail:
        `${minted} tokens were minted where about ${needed} would do. A new token is minted for every different scope set ` +
        'and audience, and after Revoke all tokens or a permission change. Ask with one scope set, and keep each token until it nearly expires.',
    });
  }
  if (!reuseOff && requests >= AT_LEAST * 5 && requests > FAR_MORE * 10 * needed) {
    flags.push({
      level: 'warning',
      title: 'Its caller asks for a token far more often than it needs.',
      detail:
        `${requests} token requests where about ${needed} would do: the caller seems to throw its tokens away. ` +
        'Keep the token until shortly before expires_in runs out (the SDK’s ClientCredentials does this).',
    });
  }
  if (refused > 0) {
    flags.push({
      level: refused >= AT_LEAST ? 'warning' : 'info',
      title: `${refused} token request${refused === 1 ? ' was' : 's were'} refused.`,
      detail: 'A wrong or expired secret, a disabled integration or throttling: the audit log says which.',
    });
  }
  return flags;
}

type Hour = Activity['hours'][number];

/** Every hour of the period, zero where the API listed none (it may list only hours with traffic). */
export function denseHours(activity: Activity): Hour[] {
  const HOUR = 3600_000;
  const start = Math.floor(new Date(activity.from).getTime() / HOUR) * HOUR;
  const end = new Date(activity.to).getTime();
  const known = new Map(activity.hours.map((h) => [Math.floor(new Date(h.hour).getTime() / HOUR) * HOUR, h]));
  if (!Number.isFinite(start) || !Number.isFinite(end) || end <= start || (end - start) / HOUR > 24 * 62) return activity.hours;
  const hours: Hour[] = [];
  for (let t = start; t < end; t += HOUR) hours.push(known.get(t) ?? { hour: new Date(t).toISOString(), minted: 0, reused: 0, refused: 0 });
  return hours;
}
