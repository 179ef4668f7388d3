import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineAccountTests } from './state-store-accounts.suite.js';
import { defineAuditTests } from './state-store-audit.suite.js';
import { defineProfileLeaseTests } from './state-store-profiles.suite.js';
import { defineQuotaStoreTests } from './state-store-quotas.suite.js';
import { defineTemplateStoreTests } from './state-store-templates.suite.js';
import { definePoolClaimTests } from './state-store-pool.suite.js';
import type { RecordingEntry } from './recording-entry.js';
import { OTHER, ROOM, recordingEntry, seen, sleep, webhookEvent } from './state-store-fixtures.js';
import type { StateStore, StoreChange } from './state-store.js';

export { recordingEntry, webhookEvent };

/**
 * One place the state on a fixture lives (a data dir, a database). `open()` makes a new store
 * instance on it each time. `shared`: two instances agree and see each other's changes (PostgreSQL);
 * false: one process per state (files), so the "other replica" of the race tests is the same instance.
 */
export interface StoreFixture {
  readonly shared: boolean;
  open(): Promise<StateStore>;
  /** Removes the state (the stores are closed by then). */
  dispose(): Promise<void>;
}

/** Every StateStore implementation must pass this: call it inside the implementation's test file. */
export function defineStateStoreSuite(label: string, newFixture: () => Promise<StoreFixture>): void {
  describe(`StateStore: ${label}`, () => {
    let fixture: StoreFixture;
    let opened: StateStore[];
    let store: StateStore;
    /** another replica on the same state (the same instance when the state is not shared) */
    let peer: StateStore;

    const open = async (): Promise<StateStore> => {
      const s = await fixture.open();
      opened.push(s);
      return s;
    };
    /** Closes `s` and opens a new instance on the same state: what survives a restart. */
    const reopen = async (s: StateStore): Promise<StateStore> => {
      await s.close();
      opened = opened.filter((o) => o !== s);
      return open();
    };

    beforeEach(async () => {
      opened = [];
      fixture = await newFixture();
      store = await open();
      peer = fixture.shared ? await open() : store;
    });
    afterEach(async () => {
      await Promise.all(opened.map((s) => s.close()));
      await fixture.dispose();
    });

    describe('invite generations', () => {
      it('start at 0 and count up per room and role', async () => {
        expect(await store.loadInviteGenerations()).toEqual({});
        expect(await store.bumpInviteGeneration(ROOM, 'viewer')).toBe(1);
        expect(await store.bumpInviteGeneration(ROOM, 'viewer')).toBe(2);
        expect(await store.bumpInviteGeneration(ROOM, 'owner')).toBe(1);
        expect(await store.bumpInviteGeneration(OTHER, 'viewer')).toBe(1);
        expect(await store.loadInviteGenerations()).toEqual({
          [ROOM]: { viewer: 2, owner: 1 },
          [OTHER]: { viewer: 1 },
        });
      });

      it('are read back after a restart', async () => {
        await store.bumpInviteGeneration(ROOM, 'participant');
        const again = await reopen(store);
        expect(await again.loadInviteGenerations()).toEqual({ [ROOM]: { participant: 1 } });
      });

      it('lose no bump when two replicas bump the same role at once', async () => {
        const bumps = Array.from({ length: 10 }, (_, i) =>
          (i % 2 ? peer : store).bumpInviteGeneration(ROOM, 'participant'),
        );
        const values = await Promise.all(bumps);
        expect([...values].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        expect((await peer.loadInviteGenerations())[ROOM]).toEqual({ participant: 10 });
      });

      it('hands out copies: changing what was loaded changes nothing stored', async () => {
        await store.bumpInviteGeneration(ROOM, 'owner');
        const loaded = await store.loadInviteGenerations();
        loaded[ROOM]!.owner = 99;
        expect((await store.loadInviteGenerations())[ROOM]).toEqual({ owner: 1 });
      });
    });

    describe('rights', () => {
      it('keep kicks until they end, dropping the room ended ones on the next kick', async () => {
        await store.kick(ROOM, 'p1', 1000, 500);
        await store.kick(ROOM, 'p2', 600, 500);
        expect(await store.loadRights()).toEqual({
          [ROOM]: { kicked: { p1: 1000, p2: 600 }, revokedBefore: {} },
        });
        await store.kick(ROOM, 'p3', 2000, 700); // p2's kick ended at 600
        expect((await store.loadRights())[ROOM]?.kicked).toEqual({ p1: 1000, p3: 2000 });
        await store.kick(ROOM, 'p1', 1500, 700); // a second kick replaces the first
        expect((await store.loadRights())[ROOM]?.kicked).toEqual({ p1: 1500, p3: 2000 });
      });

      it('keep no entry for a room whose kicks all ended', async () => {
        await store.kick(ROOM, 'p1', 600, 500);
        await store.kick(ROOM, 'p2', 650, 700);
        expect(await store.loadRights()).toEqual({});
      });

      it('keep the later of two revocations of a role', async () => {
        await store.revokeBefore(ROOM, 'viewer', 2000);
        await store.revokeBefore(ROOM, 'viewer', 1500);
        await store.revokeBefore(ROOM, 'owner', 100);
        expect(await store.loadRights()).toEqual({
          [ROOM]: { kicked: {}, revokedBefore: { viewer: 2000, owner: 100 } },
        });
        await peer.revokeBefore(ROOM, 'viewer', 2500);
        expect((await store.loadRights())[ROOM]?.revokedBefore.viewer).toBe(2500);
      });

      it('are read back after a restart', async () => {
        await store.kick(ROOM, 'p1', 9_999_999_999, 0);
        await store.revokeBefore(OTHER, 'participant', 1234);
        const again = await reopen(store);
        expect(await again.loadRights()).toEqual({
          [ROOM]: { kicked: { p1: 9_999_999_999 }, revokedBefore: {} },
          [OTHER]: { kicked: {}, revokedBefore: { participant: 1234 } },
        });
      });
    });

    describe('room settings', () => {
      const wide = {
        width: 1920,
        height: 1080,
        settings: { clipboard: { copyOut: false, pasteIn: true }, files: { upload: true, download: false } },
      };
      it('are replaced whole, seen by the other replica and told to it', async () => {
        const changes: StoreChange[] = [];
        const off = peer.onChange((c) => changes.push(c));
        expect(await store.loadRoomSettings()).toEqual({});
        await store.setRoomSettings(ROOM, wide);
        await store.setRoomSettings(ROOM, { ...wide, width: 1280, height: 720 });
        await seen(changes, (c) => c.kind === 'settings' && c.room === ROOM);
        off();
        expect(await peer.loadRoomSettings()).toEqual({ [ROOM]: { ...wide, width: 1280, height: 720 } });
      });

      it('are read back after a restart, extended timeouts with them', async () => {
        const extended = { ...wide, timeouts: { maxAgeS: 7200, noViewersS: 0, noInputS: 600 } };
        await store.setRoomSettings(OTHER, extended);
        const again = await reopen(store);
        expect(await again.loadRoomSettings()).toEqual({ [OTHER]: extended });
      });
    });

    describe('templates', () => defineTemplateStoreTests(() => ({ store, peer, reopen })));

    describe('pool claims', () => definePoolClaimTests(() => ({ store, peer, reopen })));

    it('forgets a deleted room, and only that room, keeping its webhooks', async () => {
      for (const room of [ROOM, OTHER]) {
        await store.bumpInviteGeneration(room, 'viewer');
        await store.kick(room, 'p1', 1000, 0);
        await store.revokeBefore(room, 'owner', 10);
        await store.setRoomSettings(room, {
          width: 640,
          height: 480,
          settings: { clipboard: { copyOut: true, pasteIn: true }, files: { upload: true, download: true } },
        });
      }
      await store.enqueueWebhook(webhookEvent('w1'));
      await store.forgetRoom(ROOM);
      await store.forgetRoom('cccccccccc'); // unknown: nothing happens
      expect(await peer.loadInviteGenerations()).toEqual({ [OTHER]: { viewer: 1 } });
      expect(Object.keys(await peer.loadRights())).toEqual([OTHER]);
      expect(Object.keys(await peer.loadRoomSettings())).toEqual([OTHER]);
      expect((await peer.dueWebhooks(10, Date.now())).map((e) => e.event.id)).toEqual(['w1']);
      expect(await store.bumpInviteGeneration(ROOM, 'viewer')).toBe(1);
    });

    describe('onChange', () => {
      it("tells of this store's and the other replica's writes, until unsubscribed", async () => {
        const changes: StoreChange[] = [];
        const off = store.onChange((c) => changes.push(c));
        await store.bumpInviteGeneration(ROOM, 'viewer');
        await seen(changes, (c) => c.kind === 'invites' && c.room === ROOM);
        await peer.kick(OTHER, 'p1', 9_999_999_999, 0);
        await seen(changes, (c) => c.kind === 'rights' && c.room === OTHER);
        await peer.revokeBefore(ROOM, 'viewer', 10);
        await seen(changes, (c) => c.kind === 'rights' && c.room === ROOM);
        await peer.forgetRoom(OTHER);
        await seen(changes, (c) => c.kind === 'invites' && c.room === OTHER);
        off();
        const count = changes.length;
        await peer.bumpInviteGeneration(ROOM, 'owner');
        await store.bumpInviteGeneration(ROOM, 'owner');
        await sleep(200);
        expect(changes.length).toBe(count);
      });

      it('keeps telling the other listeners when one throws', async () => {
        const changes: StoreChange[] = [];
        store.onChange(() => {
          throw new Error('listener bug');
        });
        store.onChange((c) => changes.push(c));
        await peer.bumpInviteGeneration(ROOM, 'viewer');
        await seen(changes, (c) => c.room === ROOM);
      });
    });

    describe('profiles', () => defineProfileLeaseTests(() => ({ store, peer, reopen })));
    describe('audit', () => defineAuditTests(() => ({ store, peer, reopen })));

    describe('accounts', () => defineAccountTests(() => ({ store, peer, reopen })));
    describe('quotas', () => defineQuotaStoreTests(() => ({ store, peer, reopen })));

    describe('leases', () => {
      it('have one holder at a time, renewed by it, handed over on release', async () => {
        expect(await store.acquireLease('reaper', 'a', 10_000)).toBe(true);
        expect(await peer.acquireLease('reaper', 'b', 10_000)).toBe(false);
        expect(await store.acquireLease('reaper', 'a', 10_000)).toBe(true); // renewal
        expect(await peer.acquireLease('webhooks', 'b', 10_000)).toBe(true); // another lease
        await peer.releaseLease('reaper', 'b'); // not the holder: nothing happens
        expect(await peer.acquireLease('reaper', 'b', 10_000)).toBe(false);
        await store.releaseLease('reaper', 'a');
        expect(await peer.acquireLease('reaper', 'b', 10_000)).toBe(true);
        expect(await store.acquireLease('reaper', 'a', 10_000)).toBe(false);
      });

      it('go to another holder once they expire unrenewed', async () => {
        expect(await store.acquireLease('reaper', 'a', 300)).toBe(true);
        expect(await peer.acquireLease('reaper', 'b', 300)).toBe(false);
        await sleep(450);
        expect(await peer.acquireLease('reaper', 'b', 10_000)).toBe(true);
        expect(await store.acquireLease('reaper', 'a', 300)).toBe(false);
      });

      it('go to exactly one of several holders asking at once', async () => {
        const holders = ['a', 'b', 'c', 'd', 'e', 'f'];
        const won = await Promise.all(
          holders.map((h, i) => (i % 2 ? peer : store).acquireLease('reaper', h, 10_000)),
        );
        expect(won.filter(Boolean)).toHaveLength(1);
        const winner = holders[won.indexOf(true)]!;
        expect(await peer.acquireLease('reaper', winner, 10_000)).toBe(true);
      });
    });

    describe('webhook outbox', () => {
      it('queues an event once, whichever replica queues it', async () => {
        expect(await store.enqueueWebhook(webhookEvent('w1'))).toBe(true);
        expect(await store.enqueueWebhook(webhookEvent('w1'))).toBe(false);
        const both = await Promise.all([
          store.enqueueWebhook(webhookEvent('w2')),
          peer.enqueueWebhook(webhookEvent('w2')),
        ]);
        expect(both.filter(Boolean)).toHaveLength(1);
        expect((await store.dueWebhooks(10, Date.now())).map((e) => e.event.id)).toEqual(['w1', 'w2']);
      });

      it('gives due events oldest first, as queued, up to the limit', async () => {
        const events = ['w1', 'w2', 'w3'].map((id) => webhookEvent(id));
        events[1] = { id: 'w2', at: 5, room: OTHER, type: 'room.ready', data: {} };
        for (const e of events) await store.enqueueWebhook(e);
        const due = await peer.dueWebhooks(2, Date.now());
        expect(due).toEqual([
          { event: events[0], attempts: 0 },
          { event: events[1], attempts: 0 },
        ]);
        // Byte for byte: the body the receiver verifies is the event's JSON.
        expect(JSON.stringify(due[0]!.event)).toBe(JSON.stringify(events[0]));
      });

      it('holds a retried event back until its time, then gives it with its attempts', async () => {
        await store.enqueueWebhook(webhookEvent('w1'));
        await store.enqueueWebhook(webhookEvent('w2'));
        await store.retryWebhook('w1', 1, 5000);
        expect((await peer.dueWebhooks(10, 4999)).map((e) => e.event.id)).toEqual(['w2']);
        expect(await peer.dueWebhooks(10, 5000)).toEqual([
          { event: webhookEvent('w1'), attempts: 1 },
          { event: webhookEvent('w2'), attempts: 0 },
        ]);
      });

      it('drops a finished event and refuses it when it is queued again', async () => {
        await store.enqueueWebhook(webhookEvent('w1'));
        await store.enqueueWebhook(webhookEvent('w2'));
        await peer.finishWebhook('w1');
        await store.finishWebhook('nope'); // unknown: nothing happens
        await store.retryWebhook('nope', 3, 0);
        expect((await store.dueWebhooks(10, Date.now())).map((e) => e.event.id)).toEqual(['w2']);
        expect(await peer.enqueueWebhook(webhookEvent('w1'))).toBe(false);
      });

      it('keeps queued events over a restart', async () => {
        await store.enqueueWebhook(webhookEvent('w1'));
        await store.enqueueWebhook(webhookEvent('w2'));
        await store.retryWebhook('w2', 2, 10);
        await store.finishWebhook('w1');
        const again = await reopen(store);
        expect(await again.dueWebhooks(10, 10)).toEqual([{ event: webhookEvent('w2'), attempts: 2 }]);
        expect(await again.enqueueWebhook(webhookEvent('w1'))).toBe(false);
      });
    });

    describe('recordings', () => {
      it('list newest first, update, read back after a restart and delete', async () => {
        expect(await store.insertRecording(recordingEntry('r1', 1000))).toBe(true);
        expect(await store.insertRecording(recordingEntry('r2', 2000, OTHER))).toBe(true);
        const done: RecordingEntry = {
          ...recordingEntry('r1', 1000),
          state: 'complete',
          endedAt: 5000,
          durationS: 4,
          parts: [{ n: 0, offsetS: 0, wallStartMs: 1000 }],
          roomInvites: { viewer: 2 },
        };
        await peer.updateRecording(done);
        await store.updateRecording(recordingEntry('nope', 1)); // unknown: nothing happens
        expect((await store.listRecordings()).map((e) => e.id)).toEqual(['r2', 'r1']);
        const again = await reopen(store);
        expect(await again.getRecording('r1')).toEqual(done);
        expect(await again.getRecording('nope')).toBeNull();
        expect(await again.deleteRecording('r1')).toBe(true);
        expect(await again.deleteRecording('r1')).toBe(false);
        expect((await again.listRecordings()).map((e) => e.id)).toEqual(['r2']);
      });

      it("keep a stop asked and the room's invites when the recorder saves its older copy", async () => {
        const running = recordingEntry('r1', 1000);
        expect(await store.insertRecording(running)).toBe(true);
        // another replica asks the recorder to stop; the room ends and its invites are kept
        await peer.updateRecording({ ...running, stopRequested: 'stopped' });
        await peer.updateRecording({ ...running, roomInvites: { viewer: 3 } });
        // the recorder saves its in-memory copy (without either) a moment later
        await store.updateRecording({ ...running, durationS: 2, bytes: 100 });
        const now = await peer.getRecording('r1');
        expect(now).toMatchObject({
          durationS: 2,
          bytes: 100,
          stopRequested: 'stopped',
          roomInvites: { viewer: 3 },
        });
        // a later write that carries them replaces them as ever
        await store.updateRecording({ ...now!, state: 'complete', roomInvites: { viewer: 4 } });
        expect(await store.getRecording('r1')).toMatchObject({
          state: 'complete',
          stopRequested: 'stopped',
          roomInvites: { viewer: 4 },
        });
      });

      it('refuse a second running recording of a room, whichever replica asks', async () => {
        const [a, b] = await Promise.all([
          store.insertRecording(recordingEntry('r1', 1000)),
          peer.insertRecording(recordingEntry('r2', 1001)),
        ]);
        expect([a, b].filter(Boolean)).toHaveLength(1);
        await store.updateRecording({ ...(await store.listRecordings())[0]!, state: 'complete' });
        expect(await peer.insertRecording(recordingEntry('r3', 1002))).toBe(true);
      });

      it("tell every replica that a room's recordings changed", async () => {
        const changes: StoreChange[] = [];
        peer.onChange((c) => changes.push(c));
        await store.insertRecording(recordingEntry('r1', 1000));
        await seen(changes, (c) => c.kind === 'recordings' && c.room === ROOM);
      });
    });
  });
}
