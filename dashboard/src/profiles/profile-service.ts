import { randomBytes } from 'node:crypto';
import type { Profile } from '@boxroom/contracts';
import type { Principal } from '../auth/principal.js';
import { errors } from '../errors.js';
import { NO_AUDIT, type AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../logger.js';
import { profileOf, type ProfileRef, type ProfileStorage, type RoomSpec } from '../rooms/room-driver.js';
import type { ProfileEntry } from '../store/profile-entry.js';
import type { StateStore } from '../store/state-store.js';
import { withinDeadline } from '../within-deadline.js';
import { ownerToDelete, requireProfileCaller, seesEveryProfile } from './profile-rules.js';

/**
 * A lease whose room the runtime does not list is freed by reconcile() only once it is this old: a
 * create takes the lease before the driver makes the room, and another replica may be doing so now.
 */
export const PROFILE_ORPHAN_GRACE_MS = 120_000;

/**
 * How long a home's measure may take before its answer is no longer awaited (docker's `df` alone may
 * take 30 s; a local walk visits every file). It runs after the lease is freed, so nobody waits on it.
 */
export const PROFILE_MEASURE_MS = 60_000;

/** A DELETE holds the profile under this prefix while it removes the home (listed as `deleting`). */
const DELETING = 'deleting:';

export interface ProfileServiceDeps {
  store: StateStore;
  /** the driver's; null: the driver keeps no profiles, and a create naming one is refused */
  storage: ProfileStorage | null;
  log: Logger;
  /** deletions are recorded here */
  audit?: AuditLog;
  now?: () => number;
}

/**
 * Persistent profiles: the lease (one room at a time, in the state store so replicas agree), the
 * listing and deletion. A room takes its profile before the driver starts it and gives it back only
 * once the driver says everything of the room is stopped and removed (delete, expiry, failure), or
 * when reconcile() finds the room gone (a crash, a dashboard that died mid-create).
 */
export class ProfileService {
  private readonly now: () => number;
  /** measures under way, by profile: one at a time each; settled() awaits them */
  private readonly measuring = new Map<string, Promise<void>>();

  constructor(private readonly deps: ProfileServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Takes the room's profile (if it names one) for it; `profile_in_use` when another room has it. */
  async take(spec: RoomSpec): Promise<void> {
    const ref = profileOf(spec);
    if (!spec.profile) return;
    if (!ref) throw errors.badRequest('a profile needs a room owner');
    if (!this.deps.storage) throw errors.badRequest('this room driver keeps no profiles');
    if (!(await this.deps.store.takeProfile({ ...ref, holder: spec.id }, this.now())))
      throw errors.profileInUse(ref.name);
    this.deps.log.info({ room: spec.id, owner: ref.owner, profile: ref.name }, 'profile taken');
  }

  /**
   * Runs the room's create holding its profile; a create that fails frees it again, but only once
   * `stillThere` says the runtime has no such room: a start that timed out may have started the
   * container anyway, and its removal may have failed too. Such a room keeps its profile until it is
   * removed (the failed-room removal) or found gone (reconcile()), so no second room mounts the home
   * it is still writing to.
   */
  async holding<T>(
    spec: RoomSpec,
    create: () => Promise<T>,
    stillThere: (id: string) => Promise<boolean>,
  ): Promise<T> {
    await this.take(spec);
    try {
      return await create();
    } catch (err) {
      if (spec.profile && (await this.stillThere(spec, stillThere))) {
        this.deps.log.warn(
          { room: spec.id, profile: spec.profile },
          'create failed but the room is still there: its profile stays taken until it is gone',
        );
      } else await this.release(spec);
      throw err;
    }
  }

  /** An answer we cannot get counts as there: reconcile() frees a lease held too long, never a mounted one. */
  private async stillThere(spec: RoomSpec, lookup: (id: string) => Promise<boolean>): Promise<boolean> {
    try {
      return await lookup(spec.id);
    } catch (err) {
      this.deps.log.warn({ room: spec.id, err }, 'could not tell whether the failed room is gone');
      return true;
    }
  }

  /**
   * After the room's processes are gone: frees the home, then measures it in the background. Never
   * throws (a room is deleted whatever happens here); a lease left held is freed by reconcile().
   */
  async release(spec: RoomSpec): Promise<void> {
    const ref = profileOf(spec);
    if (!ref) return;
    try {
      await this.free(ref, spec.id);
    } catch (err) {
      this.deps.log.error({ room: spec.id, profile: ref.name, err }, 'could not free the profile');
    }
  }

  async list(p: Principal | null): Promise<Profile[]> {
    const caller = requireProfileCaller(p);
    const all = await this.deps.store.listProfiles();
    return all.filter((e) => seesEveryProfile(caller) || e.owner === caller.id).map(toProfile);
  }

  /** Removes the profile's home and its entry; 409 while a room has it, 404 when there is none. */
  async delete(p: Principal | null, name: string, askedOwner?: string): Promise<void> {
    const caller = requireProfileCaller(p);
    const all = await this.deps.store.listProfiles();
    const owners = all.filter((e) => e.name === name).map((e) => e.owner);
    const audit = this.deps.audit ?? NO_AUDIT;
    let owner = '';
    await audit.guard(
      p,
      'profile.delete',
      null,
      () => (owner = ownerToDelete(caller, askedOwner, name, owners)),
    );
    if (!owners.includes(owner)) throw errors.profileNotFound(name);
    // Held while the home goes, so no room mounts a half-removed one; a crash here is undone by reconcile().
    const lease = { owner, name, holder: `${DELETING}${randomBytes(4).toString('hex')}` };
    if (!(await this.deps.store.takeProfile(lease, this.now()))) throw errors.profileInUse(name);
    try {
      await this.deps.storage?.remove({ owner, name });
    } catch (err) {
      await this.deps.store.releaseProfile(lease, this.now(), null);
      throw err;
    }
    await this.deps.store.deleteProfile(lease);
    this.deps.log.info({ owner, profile: name, by: caller.id }, 'profile deleted');
    await audit.record(caller, 'profile.delete', null, 'ok', { owner, profile: name });
  }

  /**
   * Frees leases whose holder is gone (`live`: every room the runtime lists now): a room that
   * crashed and was removed by other means, a delete or a create cut short by a restart.
   */
  async reconcile(live: ReadonlySet<string>): Promise<void> {
    const stale = (await this.deps.store.listProfiles()).filter(
      (e) =>
        e.inUseBy !== null && !live.has(e.inUseBy) && this.now() - e.lastUsedAt >= PROFILE_ORPHAN_GRACE_MS,
    );
    for (const e of stale) {
      this.deps.log.warn(
        { owner: e.owner, profile: e.name, holder: e.inUseBy },
        'freeing the profile of a room that is gone',
      );
      await this.free(e, e.inUseBy!).catch((err: unknown) =>
        this.deps.log.error({ profile: e.name, err }, 'could not free the profile'),
      );
    }
  }

  /** Resolves once the measures started so far have ended (tests; a shutdown that waits for them). */
  async settled(): Promise<void> {
    await Promise.all(this.measuring.values());
  }

  /** Frees the lease first (its last measure stays) so the next room need not wait for the measure. */
  private async free(ref: ProfileRef, holder: string): Promise<void> {
    if (!(await this.deps.store.releaseProfile({ ...ref, holder }, this.now(), null))) return;
    this.deps.log.info({ room: holder, owner: ref.owner, profile: ref.name }, 'profile freed');
    this.measureLater(ref);
  }

  private measureLater(ref: ProfileRef): void {
    const { storage, store, log } = this.deps;
    const key = `${ref.owner}/${ref.name}`;
    if (!storage || this.measuring.has(key)) return;
    const measured = withinDeadline(storage.measure(ref), PROFILE_MEASURE_MS, 'profile measure')
      .then(async (bytes) => {
        if (bytes !== null && (await store.setProfileBytes(ref.owner, ref.name, bytes)))
          log.debug({ owner: ref.owner, profile: ref.name, bytes }, 'profile measured');
      })
      .catch((err: unknown) =>
        log.warn({ owner: ref.owner, profile: ref.name, err }, 'could not measure the profile'),
      )
      .finally(() => this.measuring.delete(key));
    this.measuring.set(key, measured);
  }
}

function toProfile(e: ProfileEntry): Profile {
  return {
    name: e.name,
    owner: e.owner,
    bytes: e.bytes,
    inUseBy: e.inUseBy?.startsWith(DELETING) ? 'deleting' : e.inUseBy,
    createdAt: new Date(e.createdAt).toISOString(),
    lastUsedAt: new Date(e.lastUsedAt).toISOString(),
  };
}
