import type { RoomTemplate, TemplateDefinition, TemplateList } from '@boxroom/contracts';
import { authorize } from '../auth/abilities.js';
import { isAdmin, type Principal } from '../auth/principal.js';
import { errors } from '../errors.js';
import { NO_AUDIT, type AuditLog } from '../audit/audit-log.js';
import type { Logger } from '../logger.js';
import type { StateStore } from '../store/state-store.js';
import { StoreMirror } from '../store/store-mirror.js';
import { BUILT_IN_TEMPLATES } from './built-in-templates.js';
import { templateProblem } from './template-rules.js';

/**
 * The room templates: built-in ones, the operator's file (BOXROOM_TEMPLATES_FILE, read at start) and
 * those made through the API, kept in the StateStore (each replica answers from its copy, which any
 * replica's write refreshes). Ids are unique across all three. Anyone who may create rooms may read
 * them; only admins (the admin token, admin accounts) add and delete, and only API-made ones.
 */
export class TemplateService {
  private stored: TemplateDefinition[] = [];
  private readonly mirror: StoreMirror<TemplateDefinition[]>;
  private readonly fixed: readonly RoomTemplate[];

  constructor(
    private readonly store: StateStore,
    fromFile: readonly TemplateDefinition[],
    private readonly log: Logger,
    private readonly audit: AuditLog = NO_AUDIT,
  ) {
    this.fixed = [
      ...Object.values(BUILT_IN_TEMPLATES),
      ...fromFile.map((t) => ({ ...t, source: 'file' as const })),
    ];
    this.mirror = new StoreMirror({
      store,
      kind: 'templates',
      load: () => store.loadTemplates(),
      apply: (all) => (this.stored = all),
      log,
    });
  }

  init(): Promise<void> {
    return this.mirror.open();
  }

  close(): void {
    this.mirror.close();
  }

  list(p: Principal | null): TemplateList {
    authorize(p, 'create');
    return { templates: this.all() };
  }

  get(p: Principal | null, id: string): RoomTemplate {
    authorize(p, 'create');
    const t = this.find(id);
    if (!t) throw errors.notFound(`template ${id} not found`);
    return t;
  }

  /** The template a create names, for the RoomManager (which authorized the create). */
  find(id: string): RoomTemplate | null {
    return this.all().find((t) => t.id === id) ?? null;
  }

  async add(p: Principal | null, t: TemplateDefinition): Promise<RoomTemplate> {
    await this.audit.guard(p, 'template.create', null, () => this.adminOnly(p));
    if (!p) throw errors.unauthorized();
    const problem = templateProblem(t);
    if (problem) throw errors.badRequest(`template ${t.id}: ${problem}`);
    const taken = this.find(t.id);
    if (taken) throw errors.conflict(`template ${t.id} exists already (${taken.source})`);
    if (!(await this.store.insertTemplate(t))) throw errors.conflict(`template ${t.id} exists already (api)`);
    this.stored = [...this.stored.filter((s) => s.id !== t.id), t];
    this.mirror.wrote();
    this.log.info({ template: t.id, app: t.app, by: p.id }, 'template added');
    await this.audit.record(p, 'template.create', null, 'ok', { template: t.id, app: t.app });
    return { ...t, source: 'api' };
  }

  async remove(p: Principal | null, id: string): Promise<void> {
    await this.audit.guard(p, 'template.delete', null, () => this.adminOnly(p));
    if (!p) throw errors.unauthorized();
    const t = this.find(id);
    if (!t) throw errors.notFound(`template ${id} not found`);
    if (t.source !== 'api')
      throw errors.conflict(
        `template ${id} is ${t.source === 'file' ? 'from BOXROOM_TEMPLATES_FILE: change the file' : 'built in'}; only templates made through the API can be deleted`,
      );
    await this.store.deleteTemplate(id);
    this.stored = this.stored.filter((s) => s.id !== id);
    this.mirror.wrote();
    // its rooms keep running as they were made: their specs hold what the template said
    this.log.info({ template: id, by: p.id }, 'template deleted');
    await this.audit.record(p, 'template.delete', null, 'ok', { template: id });
  }

  private all(): RoomTemplate[] {
    const fixedIds = new Set(this.fixed.map((t) => t.id));
    // a stored one whose id the file took since (the file changed between starts) stays hidden
    const api = this.stored.filter((t) => !fixedIds.has(t.id)).map((t) => ({ ...t, source: 'api' as const }));
    return [...this.fixed, ...api];
  }

  /** Templates are settings (they bound what owners may ask for): admins only. */
  private adminOnly(p: Principal | null): asserts p is Principal {
    if (!p) throw errors.unauthorized();
    if (!isAdmin(p)) throw errors.forbidden('only an admin (or the admin token) adds and deletes templates');
  }
}
