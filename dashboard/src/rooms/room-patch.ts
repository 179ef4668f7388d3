import type { PatchRoomBody, ResolvedRoomTimeouts } from '@boxroom/contracts';
import type { AuditLog } from '../audit/audit-log.js';
import type { Principal } from '../auth/principal.js';
import { errors } from '../errors.js';
import type { Logger } from '../logger.js';
import { timeoutsOf, type RoomRecord, type RoomSpec } from './room-driver.js';
import { patched, type RoomSettingsService } from './room-settings-service.js';
import type { SettingsPush } from './settings-push.js';
import { refuseOutOfBounds } from './template-resolution.js';

/** The quotas as an extend meets them (QuotaService): a creator's room may not outrun its owner's hours. */
export interface ExtendQuota {
  admitExtend<T>(p: Principal, spec: RoomSpec, to: ResolvedRoomTimeouts, run: () => Promise<T>): Promise<T>;
}

export interface RoomPatcherDeps {
  settings?: RoomSettingsService;
  settingsPush?: SettingsPush;
  quotas?: ExtendQuota;
  audit: AuditLog;
  log: Logger;
  /** a ready room whose agent speaks another protocol is refused (RoomManager's check) */
  refuseOtherProtocol(record: RoomRecord): Promise<void>;
}

/**
 * PATCH /api/rooms/:id after the caller was authorized (RoomManager.patch): its size, policies and
 * timeouts, bounded by the template (owners) and the owner's quota (an extend), applied by a ready
 * room's agent first (it refuses a size its screen cannot take: 409), then stored; a starting room is
 * told when it is ready.
 */
export class RoomPatcher {
  constructor(private readonly d: RoomPatcherDeps) {}

  async apply(p: Principal, record: RoomRecord, body: PatchRoomBody): Promise<void> {
    const id = record.spec.id;
    const { settings, settingsPush } = this.d;
    if (!settings || !settingsPush) throw errors.conflict('live settings are not available here');
    if (record.status === 'stopping' || record.status === 'failed')
      throw errors.conflict(`room ${id} is ${record.status}: its settings can no longer change`);
    refuseOutOfBounds(record.spec, body, p.role !== 'operator');
    // one PATCH of a room at a time: each reads what the one before it stored, and none pushes an
    // older state over a newer one (a clipboard change during a resize would undo the resize)
    const next = await settingsPush.exclusive(id, async () => {
      const wanted = patched(settings.of(record.spec), body, timeoutsOf(record.spec));
      const apply = async () => {
        if (record.status === 'ready') {
          await this.d.refuseOtherProtocol(record);
          await settingsPush.send(record, wanted);
        }
        await settings.set(id, wanted);
      };
      // a new end of a creator's room spends its owner's room-hours, whoever asks: the quota admits it
      const to = body.timeouts ? wanted.timeouts : undefined;
      if (to && this.d.quotas)
        await this.d.quotas
          .admitExtend(p, record.spec, to, apply)
          .catch((err: unknown) => this.d.audit.refused(p, 'room.update', id, err, { maxAgeS: to.maxAgeS }));
      else await apply();
      return wanted;
    });
    this.d.log.info(
      {
        room: id,
        by: p.id,
        width: next.width,
        height: next.height,
        clipboard: next.settings.clipboard,
        timeouts: next.timeouts,
      },
      'room settings changed',
    );
    await this.d.audit.record(p, 'room.update', id, 'ok', {
      width: next.width,
      height: next.height,
      clipboardCopyOut: next.settings.clipboard.copyOut,
      clipboardPasteIn: next.settings.clipboard.pasteIn,
      filesUpload: next.settings.files.upload,
      filesDownload: next.settings.files.download,
      // an extend: who set the timeouts to what (those in force, the unnamed ones kept)
      ...(body.timeouts && next.timeouts
        ? {
            maxAgeS: next.timeouts.maxAgeS,
            noViewersS: next.timeouts.noViewersS,
            noInputS: next.timeouts.noInputS,
          }
        : {}),
    });
  }
}
