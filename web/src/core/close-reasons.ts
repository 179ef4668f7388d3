import { WS_CLOSE } from '@boxroom/contracts';

export interface CloseVerdict {
  /** reconnect (with backoff) or give up */
  retry: boolean;
  /** the join token is no good: join again with the invite */
  rejoin: boolean;
  message: string;
}

/** Reconnect (with backoff). */
const retrying = (message: string): CloseVerdict => ({ retry: true, rejoin: false, message });
/** The token is no good: join again with the invite, then reconnect. */
const rejoining = (message: string): CloseVerdict => ({ retry: false, rejoin: true, message });
/** Give up: nothing the page can do brings this connection back. */
const final = (message: string): CloseVerdict => ({ retry: false, rejoin: false, message });

/** What a WebSocket close code means for the room page. */
export function closeVerdict(
  code: number,
  reason: string,
  what: 'stream' | 'session' | 'input',
): CloseVerdict {
  switch (code) {
    case WS_CLOSE.unauthorized:
      return rejoining('Your access to this room has expired. Join again.');
    case WS_CLOSE.tokenExpired:
      // The page renews before expiry; this happens only when renewing failed for a while.
      return rejoining('Your access ran out; joining again...');
    case WS_CLOSE.inviteRevoked:
      return final('The link you joined with was revoked. Ask for a new link.');
    case WS_CLOSE.kicked:
      return final('You were removed from this room.');
    case WS_CLOSE.forbidden:
      return final(what === 'input' ? 'You are not in control.' : 'You are not allowed here.');
    case WS_CLOSE.notFound:
      return final('This room no longer exists.');
    case WS_CLOSE.tooSlow:
      return retrying('The connection fell behind the live stream; reconnecting.');
    case WS_CLOSE.controlRevoked:
      return final(reason || 'Control passed to someone else.');
    case WS_CLOSE.roomFailed: {
      // Not "restarting": this room will not come back. The reason says what went wrong.
      const why = reason.replace(/^room failed:\s*/, '');
      return final(`This room has failed and will not come back${why ? `: ${why}` : '.'}`);
    }
    case WS_CLOSE.tooManySockets:
      return final('Too many connections from you to this room: close another tab and reload.');
    case WS_CLOSE.unavailable:
      return retrying('The room is restarting; reconnecting...');
    case WS_CLOSE.goingAway:
      return retrying('The room went away; reconnecting...');
    default:
      return retrying('Connection lost; reconnecting...');
  }
}

/** What a failed join (HTTP status + API error code) means. */
export function joinErrorMessage(status: number, code: string | null, message: string | null): string {
  if (status === 401 || status === 403)
    return 'This invite link is invalid or has been revoked. Ask for a new link.';
  if (status === 410) return 'This invite link has expired. Ask for a new link.';
  if (status === 404) return 'This room does not exist (any more).';
  if (status === 409) return message ?? 'This room is not accepting people right now.';
  if (status === 0) return 'Cannot reach the server. Check your connection.';
  return message ?? `Joining failed (${code ?? status}).`;
}
