import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { RoomFile, RoomFileList } from '@boxroom/contracts';
import { FileParams, RoomIdParams, errorResponses } from '../api/schemas.js';
import { RangeRefused, type FileService } from '../rooms/file-service.js';
import { noContent } from './route-options.js';

/** A file's bytes: not JSON (the contract test checks only that the route declares the status). */
const fileBytes = (description: string) =>
  Type.Unsafe<never>({ type: 'string', format: 'binary', description });

/** Files in and out of a room: decode, call the FileService, stream. */
export const fileRoutes: FastifyPluginAsyncTypebox<{ files: FileService }> = async (app, { files }) => {
  // The body of a PUT is the file, streamed on to the room as it arrives: no parser may read it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  app.get(
    '/api/rooms/:id/files',
    {
      schema: {
        summary:
          "The files in the room's files folder (participants, owners, operators; unless downloads are off)",
        tags: ['files'],
        params: RoomIdParams,
        response: { 200: RoomFileList, ...errorResponses(400, 401, 403, 404, 409, 410, 503) },
      },
    },
    async (req) => files.list(req.principal, req.params.id),
  );

  app.get(
    '/api/rooms/:id/files/:name',
    {
      schema: {
        summary: 'Download a file of the room (participants, owners, operators; unless downloads are off)',
        description: 'One `Range: bytes=a-b` is served (206); a range past the end answers 416.',
        tags: ['files'],
        params: FileParams,
        response: {
          200: fileBytes('the file'),
          206: fileBytes('the requested range of the file'),
          ...errorResponses(400, 401, 403, 404, 409, 410, 416, 503),
        },
      },
    },
    async (req, reply) => {
      try {
        const d = await files.download(req.principal, req.params.id, req.params.name, req.headers.range);
        return reply.status(d.status).headers(d.headers).send(d.body);
      } catch (err) {
        if (err instanceof RangeRefused && err.contentRange)
          void reply.header('content-range', err.contentRange);
        throw err;
      }
    },
  );

  app.put(
    '/api/rooms/:id/files/:name',
    {
      schema: {
        summary:
          "Upload a file into the room's files folder (the controller, owners, operators; unless uploads are off)",
        description:
          'The body is the file (any content type), streamed into the room. 201: created, 204: replaced a file of that name; 413: larger than the room allows (BOXROOM_FILE_MAX_BYTES) or than its files folder has left; 400: a name that is not a plain file name.',
        tags: ['files'],
        params: FileParams,
        response: {
          201: RoomFile,
          204: noContent('replaced the file of that name'),
          ...errorResponses(400, 401, 403, 404, 409, 410, 413, 503),
        },
      },
    },
    // A refusal before the whole body came (413, 403): Node reads and drops the rest after the answer,
    // so the caller, still sending, gets the answer rather than a reset connection.
    async (req, reply) => {
      const up = await files.upload(req.principal, req.params.id, req.params.name, req.raw);
      return up.result === 'created' ? reply.status(201).send(up.file) : reply.status(204).send(null);
    },
  );
};
