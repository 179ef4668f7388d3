import { TemplateDefinition } from '@boxroom/contracts';
import { Value } from 'typebox/value';

/**
 * What the schema (TemplateDefinition) cannot say, as one sentence naming the field; null when the
 * template is whole. The same rules for the file and the API.
 */
export function templateProblem(t: TemplateDefinition): string | null {
  if (t.app === 'command' && !t.command) return 'command: required when app is "command" (the argv to run)';
  if (t.app !== 'command' && t.command) return `command: only for app "command" (this one is "${t.app}")`;
  if (t.app !== 'browser' && t.startUrl !== undefined) return `startUrl: only for app "browser"`;
  if (t.app !== 'browser' && t.browserMode !== undefined) return `browserMode: only for app "browser"`;
  return null;
}

/** Why `value` is not a TemplateDefinition (the schema's first complaints, with their fields), or null. */
export function definitionProblem(value: unknown): string | null {
  if (!Value.Check(TemplateDefinition, value)) {
    return Value.Errors(TemplateDefinition, value)
      .slice(0, 3)
      .map((e) => `${e.instancePath.replace(/^\//, '') || '(the template)'}: ${e.message}`)
      .join('; ');
  }
  return templateProblem(value);
}
