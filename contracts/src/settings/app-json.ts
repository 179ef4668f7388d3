import {
  ENV_NAME_PATTERN,
  TEMPLATE_ARG_MAX_LENGTH,
  TEMPLATE_COMMAND_MAX_ARGS,
  TEMPLATE_ENV_MAX,
} from '../templates.js';

/**
 * BOXROOM_APP_COMMAND and BOXROOM_APP_ENV carry a template's argv and environment as JSON (an
 * environment variable holds one string). The same bounds as TemplateDefinition, checked here
 * without a schema library: the agent reads them once, at start.
 */

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Why `text` is not a JSON argv (a non-empty array of non-empty strings), or null. */
export function appCommandProblem(text: string): string | null {
  const v = parsed(text);
  if (!Array.isArray(v) || v.length === 0 || v.length > TEMPLATE_COMMAND_MAX_ARGS)
    return `must be a JSON array of 1 to ${TEMPLATE_COMMAND_MAX_ARGS} strings, e.g. ["xclock","-digital"]`;
  if (!v.every((a) => typeof a === 'string' && a.length > 0 && a.length <= TEMPLATE_ARG_MAX_LENGTH))
    return `every argument must be a string of 1 to ${TEMPLATE_ARG_MAX_LENGTH} characters`;
  return null;
}

export function parseAppCommand(text: string): string[] {
  return parsed(text) as string[];
}

const ENV_NAME = new RegExp(ENV_NAME_PATTERN);

/** Why `text` is not a JSON object of variables the app may be given, or null. */
export function appEnvProblem(text: string): string | null {
  const v = parsed(text);
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'must be a JSON object of strings';
  const entries = Object.entries(v);
  if (entries.length > TEMPLATE_ENV_MAX) return `must name at most ${TEMPLATE_ENV_MAX} variables`;
  for (const [k, value] of entries) {
    if (!ENV_NAME.test(k))
      return `${k} is not a name an app may be given (BOXROOM_*, PATH, HOME, ... are not)`;
    if (typeof value !== 'string' || value.length > TEMPLATE_ARG_MAX_LENGTH)
      return `${k} must be a string of at most ${TEMPLATE_ARG_MAX_LENGTH} characters`;
  }
  return null;
}

export function parseAppEnv(text: string): Record<string, string> {
  return parsed(text) as Record<string, string>;
}
