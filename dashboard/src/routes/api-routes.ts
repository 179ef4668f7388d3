import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { AuditLog } from '../audit/audit-log.js';
import type { AccountService } from '../auth/account-service.js';
import type { ApiTokenService } from '../auth/api-token-service.js';
import type { OidcService } from '../auth/oidc/oidc-service.js';
import type { OperatorSessions } from '../auth/operator-session.js';
import type { PrincipalResolver } from '../auth/principal.js';
import { installAuthHook } from '../http/auth-hook.js';
import type { Logger } from '../logger.js';
import type { ProfileService } from '../profiles/profile-service.js';
import type { QuotaService } from '../quotas/quota-service.js';
import type { buildRecordings } from '../recordings/build-recordings.js';
import type { ControlService } from '../rooms/control-service.js';
import type { DesktopService } from '../rooms/desktop-service.js';
import type { FileService } from '../rooms/file-service.js';
import type { JoinService } from '../rooms/join-service.js';
import type { ParticipantRights } from '../rooms/participant-rights.js';
import type { RoomManager } from '../rooms/room-manager.js';
import type { TemplateService } from '../templates/template-service.js';
import { accessRoutes } from './access-routes.js';
import { accountRoutes } from './account-routes.js';
import { auditRoutes } from './audit-routes.js';
import { controlRoutes } from './control-routes.js';
import { desktopRoutes } from './desktop-routes.js';
import { fileRoutes } from './file-routes.js';
import { oidcRoutes } from './oidc-routes.js';
import { profileRoutes } from './profile-routes.js';
import { quotaRoutes } from './quota-routes.js';
import { recordingRoutes } from './recording-routes.js';
import { roomRoutes } from './room-routes.js';
import { sessionRoutes } from './session-routes.js';
import { templateRoutes } from './template-routes.js';

export interface ApiRoutesDeps {
  resolver: PrincipalResolver;
  sessions: OperatorSessions;
  oidc: OidcService | null;
  accounts: AccountService;
  apiTokens: ApiTokenService;
  audit: AuditLog;
  rooms: RoomManager;
  templates: TemplateService;
  access: JoinService;
  participantRights: ParticipantRights;
  control: ControlService;
  desktop: DesktopService;
  recordings: ReturnType<typeof buildRecordings>;
  files: FileService;
  profiles: ProfileService;
  quotas: QuotaService;
  limits: {
    join?: onRequestHookHandler;
    create?: onRequestHookHandler;
    signIn?: onRequestHookHandler;
    signInCallback?: onRequestHookHandler;
  };
  log: Logger;
}

/** Every /api route, behind one auth hook (bearers, and cookie sessions with their CSRF token). */
export async function registerApiRoutes(app: FastifyInstance, d: ApiRoutesDeps): Promise<void> {
  const { join, create, signIn, signInCallback } = d.limits;
  await app.register(async (api) => {
    installAuthHook(api, d.resolver, d.sessions);
    const signInLimit = signIn ? { signInLimit: signIn } : {};
    await api.register(sessionRoutes, {
      sessions: d.sessions,
      resolver: d.resolver,
      audit: d.audit,
      ...signInLimit,
    });
    await api.register(oidcRoutes, {
      oidc: d.oidc,
      sessions: d.sessions,
      audit: d.audit,
      log: d.log.child({ mod: 'oidc' }),
      ...signInLimit,
      ...(signInCallback ? { callbackLimit: signInCallback } : {}),
    });
    await api.register(accountRoutes, { accounts: d.accounts, apiTokens: d.apiTokens });
    await api.register(roomRoutes, { rooms: d.rooms, ...(create ? { createLimit: create } : {}) });
    await api.register(templateRoutes, { templates: d.templates });
    await api.register(accessRoutes, {
      access: d.access,
      rights: d.participantRights,
      ...(join ? { joinLimit: join } : {}),
    });
    await api.register(controlRoutes, { control: d.control });
    await api.register(desktopRoutes, { desktop: d.desktop });
    await api.register(recordingRoutes, { recordings: d.recordings.service, files: d.recordings.media });
    await api.register(fileRoutes, { files: d.files });
    await api.register(profileRoutes, { profiles: d.profiles });
    await api.register(auditRoutes, { audit: d.audit });
    await api.register(quotaRoutes, { quotas: d.quotas });
  });
}
