import { Type, type Static } from 'typebox';
import {
  ControlVerb,
  ErrorBody,
  InviteRole,
  PARTICIPANT_ID_PATTERN,
  RoomId,
  TemplateId,
} from '@boxroom/contracts';

/**
 * Route-only shapes of the public API (path parameters, queries). The bodies and answers are in
 * @boxroom/contracts; with these they validate requests, type the handlers and become the OpenAPI
 * document.
 */

export const RoomIdParams = Type.Object({ id: RoomId });

export const KickParams = Type.Object({
  id: RoomIdParams.properties.id,
  participantId: Type.String({
    pattern: PARTICIPANT_ID_PATTERN,
    description: 'a participant id from the presence list (`p` and 11 lowercase letters or digits)',
  }),
});

export const ControlParams = Type.Object({ id: RoomIdParams.properties.id, action: ControlVerb });
export type ControlParams = Static<typeof ControlParams>;

export const FileParams = Type.Object({
  id: RoomIdParams.properties.id,
  name: Type.String({
    minLength: 1,
    maxLength: 1024,
    description: 'a plain file name (no `/`, not `..`), percent-encoded',
  }),
});

export const TemplateIdParams = Type.Object({ id: TemplateId });

export const InviteParams = Type.Object({ id: RoomIdParams.properties.id, role: InviteRole });

export const StreamQuery = Type.Object({
  token: Type.Optional(Type.String({ description: 'participant token (never logged)' })),
});

/** Response schemas for the error statuses a route can answer with. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody]));
}
