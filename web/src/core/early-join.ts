import { ApiClient, inviteFromHash, type AnyJoinResult } from './api-client.js';
import { rememberedName } from './display-name.js';

/** A returning participant's join, sent before the room page's code has loaded. */
export interface EarlyJoin {
  name: string;
  result: Promise<AnyJoinResult>;
}

/**
 * main.ts sends the join of a returning participant (an invite in the fragment and a remembered name)
 * at once, so the request overlaps the download of the room page's code; the page takes the answer
 * instead of asking again. Null for a first visit or a link without an invite: the page decides.
 */
export function startEarlyJoin(
  roomId: string,
  hash: string,
  storage: Pick<Storage, 'getItem'> = localStorage,
  api: Pick<ApiClient, 'join'> = new ApiClient(null),
): EarlyJoin | null {
  const invite = inviteFromHash(hash);
  const name = rememberedName(storage);
  if (!invite || !name) return null;
  const result = api.join(roomId, invite, name);
  // the page reports a failure when it takes the answer; until then it is not unhandled
  result.catch(() => {});
  return { name, result };
}
