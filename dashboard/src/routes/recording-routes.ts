import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RecordingList, RecordingResult, Recording, RecordingTimeline } from '@boxroom/contracts';
import { RoomIdParams, errorResponses } from '../api/schemas.js';
import { errors } from '../errors.js';
import { sendFile } from '../http/send-file.js';
import type { RecordingService } from '../recordings/recording-service.js';
import type { RecordingMedia } from '../recordings/recording-media.js';
import { partDirName } from '../recordings/recorder-argv.js';
import { noContent } from './route-options.js';

const RecordingParams = Type.Object({ rid: Type.String({ pattern: '^rec[0-9a-f]{16}$' }) });
const MediaParams = Type.Object({
  rid: RecordingParams.properties.rid,
  part: Type.String({ pattern: '^p[0-9]{1,5}$' }),
  file: Type.String({ pattern: '^(init\\.mp4|seg-[0-9]{5,}\\.m4s)$' }),
});
const Signed = Type.Object({
  exp: Type.Optional(Type.String({ description: 'signed links: expiry (s since epoch)' })),
  sig: Type.Optional(Type.String({ description: 'signed links: signature (never logged)' })),
  by: Type.Optional(
    Type.String({ maxLength: 128, description: 'signed links: whom the link was handed to (signed)' }),
  ),
});
const FrameQuery = Type.Object({
  ...Signed.properties,
  t: Type.Number({ minimum: 0, description: 'media seconds' }),
});
const ListQuery = Type.Object({ room: Type.Optional(RoomIdParams.properties.id) });

/**
 * Media answers work with a signed link (`links.play` / `links.download`) or a bearer. Their 200s are
 * not JSON (playlist, MP4, JPEG): like the live stream's, only their errors are declared.
 */
const media = { config: { public: true } } as const;

/** Recordings: start and stop, list, look, delete; their playlist, segments, MP4 and frames. */
export const recordingRoutes: FastifyPluginAsyncTypebox<{
  recordings: RecordingService;
  files: RecordingMedia;
}> = async (app, { recordings, files }) => {
  for (const action of ['start', 'stop'] as const) {
    app.post(
      `/api/rooms/:id/recording/${action}`,
      {
        schema: {
          summary: `${action === 'start' ? 'Start' : 'Stop'} recording the room (operator, owner)`,
          description:
            action === 'start'
              ? '409 `already_recording` while it is recorded; 409 `conflict` when its policy is "off"'
              : '409 `not_recording` when it is not; answers once the recording is finished (VOD)',
          tags: ['recordings'],
          params: RoomIdParams,
          response: { 200: RecordingResult, ...errorResponses(400, 401, 403, 404, 409, 503) },
        },
      },
      async (req) => ({
        recording: await (action === 'start'
          ? recordings.start(req.principal, req.params.id)
          : recordings.stop(req.principal, req.params.id)),
      }),
    );
  }

  app.get(
    '/api/recordings',
    {
      schema: {
        summary: 'Recordings the caller may watch (of one room with ?room=), newest first',
        tags: ['recordings'],
        querystring: ListQuery,
        response: { 200: RecordingList, ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => ({ recordings: await recordings.list(req.principal, req.query.room) }),
  );

  app.get(
    '/api/recordings/:rid',
    {
      schema: {
        summary: 'One recording',
        tags: ['recordings'],
        params: RecordingParams,
        response: { 200: Recording, ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => recordings.get(req.principal, req.params.rid),
  );

  app.delete(
    '/api/recordings/:rid',
    {
      schema: {
        summary: 'Delete a recording and its files (operator, owner)',
        tags: ['recordings'],
        params: RecordingParams,
        response: { 204: noContent('deleted'), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await recordings.delete(req.principal, req.params.rid);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/recordings/:rid/events',
    {
      schema: {
        summary: "The recording's timeline, `t` in media seconds",
        tags: ['recordings'],
        params: RecordingParams,
        response: { 200: RecordingTimeline, ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => recordings.timeline(req.principal, req.params.rid),
  );

  app.get(
    '/api/recordings/:rid/play.m3u8',
    {
      ...media,
      schema: {
        summary: 'The HLS playlist (fMP4; EVENT while recording, VOD when finished)',
        tags: ['recordings'],
        params: RecordingParams,
        querystring: Signed,
        response: errorResponses(400, 401, 404),
      },
    },
    async (req, reply) => {
      const { rid } = req.params;
      const entry = await recordings.forMedia(req.principal, rid, req.query);
      const q = recordings.signatureFor(rid, req.query);
      const text = await files.playlist(entry, (path) => `media/${path}?${q}`);
      // a viewing: the playlist is what every player asks first (its segments are not recorded)
      await recordings.looked('recording.view', req.principal, entry, req.query);
      // the raw reply: the route's schemas declare its errors only (a playlist is no JSON shape)
      return reply
        .header('cache-control', 'no-store')
        .type('application/vnd.apple.mpegurl')
        .send(text as never);
    },
  );

  app.get(
    '/api/recordings/:rid/media/:part/:file',
    {
      ...media,
      schema: {
        summary: 'An init segment or media segment of the playlist',
        tags: ['recordings'],
        params: MediaParams,
        querystring: Signed,
        response: errorResponses(400, 401, 404, 416),
      },
    },
    async (req, reply) => {
      const { rid, part, file } = req.params;
      const entry = await recordings.forMedia(req.principal, rid, req.query);
      if (!entry.parts.some((p) => partDirName(p.n) === part)) throw errors.notFound('no such part');
      return sendFile(reply, `${files.dirOf(rid)}/${part}/${file}`, {
        type: file.endsWith('.mp4') ? 'video/mp4' : 'video/iso.segment',
        range: req.headers.range,
        // a complete segment never changes
        cache: 'private, max-age=86400, immutable',
      });
    },
  );

  app.get(
    '/api/recordings/:rid/download',
    {
      ...media,
      schema: {
        summary: 'The whole recording as one MP4 (remuxed, not re-encoded), with Range support',
        tags: ['recordings'],
        params: RecordingParams,
        querystring: Signed,
        response: errorResponses(400, 401, 404, 416),
      },
    },
    async (req, reply) => {
      const entry = await recordings.forMedia(req.principal, req.params.rid, req.query);
      if (entry.durationS <= 0) throw errors.notFound('nothing recorded yet');
      const out = await files.export(entry);
      // every request counts, whatever its range: one entry per person, recording and window
      await recordings.looked('recording.download', req.principal, entry, req.query);
      try {
        return await sendFile(reply, out.path, {
          type: 'video/mp4',
          range: req.headers.range,
          cache: out.temporary ? 'no-store' : 'private, max-age=3600',
          name: `${entry.roomName.replace(/[^\w.-]+/g, '_')}-${entry.id}.mp4`,
          onDone: out.done,
        });
      } catch (err) {
        out.done(); // the response never took the file
        throw err;
      }
    },
  );

  app.get(
    '/api/recordings/:rid/frame.jpg',
    {
      ...media,
      schema: {
        summary: 'The decoded frame at media time `t` as a JPEG (scrubber previews, posters; cached)',
        tags: ['recordings'],
        params: RecordingParams,
        querystring: FrameQuery,
        response: errorResponses(400, 401, 404),
      },
    },
    async (req, reply) => {
      const entry = await recordings.forMedia(req.principal, req.params.rid, req.query);
      const path = await files.frame(entry, req.query.t);
      if (!path) throw errors.notFound(`no frame at ${req.query.t} s: the recording is shorter`);
      return sendFile(reply, path, { type: 'image/jpeg', cache: 'private, max-age=86400' });
    },
  );
};
