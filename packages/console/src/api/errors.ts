import { ApiError } from './client.ts';

export interface Explained {
  title: string;
  /** The API's own words, and the validation details, when they help. */
  detail: string[];
}

/** Titles a screen knows better for some statuses (a 401 at sign-in is a wrong password, not an ended session). */
export type Titles = Partial<Record<number, string>>;

/** Turns any failure into words a person can act on. */
export function explain(error: unknown, titles: Titles = {}): Explained {
  if (error instanceof ApiError && titles[error.status]) {
    return { title: titles[error.status]!, detail: [error.message, ...error.details].filter(Boolean) };
  }
  if (!(error instanceof ApiError)) {
    return { title: 'Something went wrong in the console.', detail: [error instanceof Error ? error.message : String(error)] };
  }
  const own = [error.message, ...error.details].filter(Boolean);
  switch (true) {
    case error.status === 0:
      return { title: 'The server could not be reached.', detail: ['Check that Latchkey is running and your network connection, then try again.'] };
    case error.status === 400:
      return { title: 'The server refused this request.', detail: own };
    case error.status === 401:
      return { title: 'You are not signed in (or your session has ended).', detail: own };
    case error.status === 403:
      return { title: 'Your role does not allow this.', detail: [...own, 'An owner or an admin of this environment can do it, or give you the role.'] };
    case error.status === 404:
      return { title: 'Not found.', detail: ['It may have been deleted, or you are not a member of this environment.'] };
    case error.status === 409:
      return { title: 'That conflicts with what exists already.', detail: own };
    case error.status === 413:
      return { title: 'That is too large for the server.', detail: own };
    case error.status === 429:
      return {
        title: 'Too many attempts.',
        detail: [error.retryAfterSeconds ? `Try again in ${error.retryAfterSeconds} seconds.` : 'Wait a little, then try again.'],
      };
    case error.status === 503:
      return { title: 'The server is temporarily unavailable.', detail: ['Its database may be unreachable. Try again in a moment.'] };
    case error.status >= 500:
      return { title: `The server had a problem (HTTP ${error.status}).`, detail: ['Try again in a moment; the server log has the details.'] };
    default:
      return { title: `The request failed (HTTP ${error.status}).`, detail: own };
  }
}

export const isStatus = (error: unknown, status: number) => error instanceof ApiError && error.status === status;
