import type { TemplateDefinition } from '@boxroom/contracts';
import { notifyChange, type PgDatabase } from './pg-database.js';

/** The operator's API-made templates, in the order they were added; every change is announced. */
export class PgTemplates {
  constructor(private readonly db: PgDatabase) {}

  async load(): Promise<TemplateDefinition[]> {
    const { rows } = await this.db.query<{ definition: TemplateDefinition }>(
      'SELECT definition FROM templates ORDER BY seq',
    );
    return rows.map((r) => r.definition);
  }

  insert(template: TemplateDefinition): Promise<boolean> {
    return this.db.transaction(async (c) => {
      const { rowCount } = await c.query(
        'INSERT INTO templates (id, definition) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING',
        [template.id, JSON.stringify(template)],
      );
      if (rowCount) await notifyChange(c, { kind: 'templates', room: template.id });
      return (rowCount ?? 0) > 0;
    });
  }

  delete(id: string): Promise<boolean> {
    return this.db.transaction(async (c) => {
      const { rowCount } = await c.query('DELETE FROM templates WHERE id = $1', [id]);
      if (rowCount) await notifyChange(c, { kind: 'templates', room: id });
      return (rowCount ?? 0) > 0;
    });
  }
}
