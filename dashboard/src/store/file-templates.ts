import type { TemplateDefinition } from '@boxroom/contracts';
import { SerialQueue, writeJsonAtomic } from './atomic-json.js';

/**
 * The file store's room templates made through the API: one JSON file (`templates.json`,
 * `{"templates": [...]}`, the format of BOXROOM_TEMPLATES_FILE), rewritten atomically on every change.
 */
export class FileTemplates {
  private list: TemplateDefinition[] = [];
  private readonly writes = new SerialQueue();

  constructor(private readonly file: string) {}

  /** What the file held (the store reads it; unreadable or absent: none). */
  loaded(data: unknown): void {
    const list = (data as { templates?: unknown } | undefined)?.templates;
    this.list = Array.isArray(list) ? (list as TemplateDefinition[]) : [];
  }

  settled(): Promise<void> {
    return this.writes.run(async () => undefined);
  }

  all(): TemplateDefinition[] {
    return structuredClone(this.list);
  }

  insert(template: TemplateDefinition): Promise<boolean> {
    return this.writes.run(async () => {
      if (this.list.some((t) => t.id === template.id)) return false;
      await this.save([...this.list, structuredClone(template)]);
      return true;
    });
  }

  delete(id: string): Promise<boolean> {
    return this.writes.run(async () => {
      if (!this.list.some((t) => t.id === id)) return false;
      await this.save(this.list.filter((t) => t.id !== id));
      return true;
    });
  }

  private async save(next: TemplateDefinition[]): Promise<void> {
    await writeJsonAtomic(this.file, { templates: next });
    this.list = next;
  }
}
