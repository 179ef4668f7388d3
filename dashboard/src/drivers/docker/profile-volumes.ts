import type Docker from 'dockerode';
import { profileVolumeName } from '../../profiles/profile-key.js';
import type { ProfileRef, ProfileStorage } from '../../rooms/room-driver.js';
import { ENGINE_DEADLINE_MS as DEADLINE, withDeadline } from './engine-deadline.js';
import { LABEL } from './labels.js';

/** Labels of a profile's volume: boxroom's, this instance's, whose and which (names are hashes). */
export const PROFILE_LABEL = {
  owner: 'io.boxroom.profile.owner',
  name: 'io.boxroom.profile.name',
} as const;

/** /system/df walks every volume: slow on a big host, so it gets longer than a list. */
const DF_DEADLINE_MS = 30_000;

interface VolumeUsage {
  Name: string;
  UsageData?: { Size?: number } | null;
}

/**
 * Profiles as named volumes (`boxroom-<instance>-profile-<hash>`), labelled as this instance's and
 * kept when their room's container goes (removed with `v: true`: anonymous volumes only).
 */
export class ProfileVolumes implements ProfileStorage {
  constructor(
    private readonly docker: Docker,
    private readonly instance: string,
  ) {}

  /** Makes the volume with its labels before a container names it (the engine would make it bare). */
  async ensure(ref: ProfileRef): Promise<void> {
    const Name = profileVolumeName(this.instance, ref);
    await withDeadline('volume', DEADLINE.create, (abortSignal) =>
      // creating an existing volume answers it unchanged
      this.docker.createVolume({
        Name,
        Labels: {
          [LABEL.instance]: this.instance,
          [PROFILE_LABEL.owner]: ref.owner,
          [PROFILE_LABEL.name]: ref.name,
        },
        abortSignal,
      } as Docker.VolumeCreateOptions),
    );
  }

  /** The engine's own measure (`docker system df -v`); null when it has none for the volume. */
  async measure(ref: ProfileRef): Promise<number | null> {
    const name = profileVolumeName(this.instance, ref);
    const df = (await withDeadline('df', DF_DEADLINE_MS, (abortSignal) =>
      (this.docker.df as (o: object) => Promise<{ Volumes?: VolumeUsage[] | null }>)({ abortSignal }),
    )) as { Volumes?: VolumeUsage[] | null };
    const size = df.Volumes?.find((v) => v.Name === name)?.UsageData?.Size;
    return typeof size === 'number' && size >= 0 ? size : null;
  }

  async remove(ref: ProfileRef): Promise<void> {
    const volume = this.docker.getVolume(profileVolumeName(this.instance, ref));
    await withDeadline('remove', DEADLINE.remove, (abortSignal) =>
      volume.remove({ abortSignal } as object),
    ).catch((err: unknown) => {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    });
  }
}
