import { Type, type Static } from 'typebox';

/**
 * Files in and out of a room: the room keeps them in one folder of its desktop, written and read by
 * the room's agent as the desktop user; the dashboard streams them between the caller and the agent.
 */

/** Owner's data-loss control: may files be uploaded into the room, downloaded out of it. */
export const FilesPolicy = Type.Object(
  {
    upload: Type.Boolean({ description: 'the controller, owners and operators may upload into the room' }),
    download: Type.Boolean({ description: 'participants, owners and operators may download from the room' }),
  },
  { additionalProperties: false },
);
export type FilesPolicy = Static<typeof FilesPolicy>;

export const DEFAULT_FILES_POLICY: FilesPolicy = Object.freeze({ upload: true, download: true });

/** Either direction, as the create body and PATCH take it: what is left out keeps its value. */
export const FilesPolicyChange = Type.Object(
  { upload: Type.Optional(Type.Boolean()), download: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export type FilesPolicyChange = Static<typeof FilesPolicyChange>;

export const RoomFile = Type.Object({
  name: Type.String(),
  size: Type.Integer({ minimum: 0, description: 'bytes' }),
  modifiedAt: Type.String({ format: 'date-time' }),
});
export type RoomFile = Static<typeof RoomFile>;

/**
 * The most files one listing names: the desktop user may create millions, and a listing is one
 * JSON answer held whole by the agent and the dashboard. The newest are kept (by modification time).
 */
export const FILE_LIST_MAX_ENTRIES = 1000;

/**
 * The most bytes of JSON a listing may take, on each hop (worker to agent, agent to dashboard): a full
 * listing of the longest names (255 bytes, each a control character escaped to 6) stays under it.
 */
export const FILE_LIST_MAX_BYTES = 2 * 1024 * 1024;

/** GET /api/rooms/:id/files */
export const RoomFileList = Type.Object({
  files: Type.Array(RoomFile),
  folder: Type.Optional(
    Type.String({ description: 'where the files are in the room (its desktop sees them there)' }),
  ),
  truncated: Type.Optional(
    Type.Boolean({
      description: `the folder has more files than a listing names (${FILE_LIST_MAX_ENTRIES}): the newest are listed`,
    }),
  ),
});
export type RoomFileList = Static<typeof RoomFileList>;

/** What a file system takes as one name: 255 bytes of UTF-8 (NAME_MAX on Linux). */
export const FILE_NAME_MAX_BYTES = 255;

/**
 * Why `name` is not a plain file name (null when it is): no path (no `/`, no `\`, not `.` or `..`),
 * no control characters, no NUL, at most FILE_NAME_MAX_BYTES. The dashboard refuses such a name
 * (400) before anything reaches the room, and the agent checks again.
 */
export function fileNameProblem(name: string): string | null {
  if (name.length === 0) return 'a file name must not be empty';
  if (name === '.' || name === '..') return 'a file name must not be . or ..';
  if (/[/\\]/.test(name)) return 'a file name must not contain / or \\ (no folders)';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'a file name must not contain control characters';
  if (name.trim() !== name) return 'a file name must not start or end with spaces';
  if (new TextEncoder().encode(name).length > FILE_NAME_MAX_BYTES)
    return `a file name must be at most ${FILE_NAME_MAX_BYTES} bytes (UTF-8)`;
  return null;
}
