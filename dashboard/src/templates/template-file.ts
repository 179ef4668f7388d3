import { readFileSync } from 'node:fs';
import type { TemplateDefinition } from '@boxroom/contracts';
import { isBuiltIn } from './built-in-templates.js';
import { definitionProblem } from './template-rules.js';

/** A templates file the dashboard cannot start with; the message names the template and the field. */
export class TemplateFileError extends Error {
  override name = 'TemplateFileError';
}

/**
 * The operator's templates from BOXROOM_TEMPLATES_FILE: `{"templates": [TemplateDefinition, ...]}`.
 * Read once at start; any template that is not valid stops the start (a room made from half a
 * template would run something the operator did not write).
 */
export function readTemplatesFile(path: string): TemplateDefinition[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TemplateFileError(`BOXROOM_TEMPLATES_FILE ${path}: cannot be read (${(err as Error).message})`);
  }
  return parseTemplatesFile(text, path);
}

export function parseTemplatesFile(text: string, path: string): TemplateDefinition[] {
  const fail = (why: string) => new TemplateFileError(`BOXROOM_TEMPLATES_FILE ${path}: ${why}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text) as unknown;
  } catch (err) {
    throw fail(`not JSON (${(err as Error).message})`);
  }
  const list = (doc as { templates?: unknown } | null)?.templates;
  if (!Array.isArray(list)) throw fail('must be an object {"templates": [...]}');
  const seen = new Set<string>();
  return list.map((item: unknown, i) => {
    const id = (item as { id?: unknown } | null)?.id;
    const which = typeof id === 'string' ? `template "${id}"` : `template #${i + 1}`;
    const problem = definitionProblem(item);
    if (problem) throw fail(`${which}: ${problem}`);
    const t = item as TemplateDefinition;
    if (isBuiltIn(t.id)) throw fail(`${which}: id: "${t.id}" is a built-in template`);
    if (seen.has(t.id)) throw fail(`${which}: id: given twice`);
    seen.add(t.id);
    return t;
  });
}
