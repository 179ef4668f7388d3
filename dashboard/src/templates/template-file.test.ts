import { describe, expect, it } from 'vitest';
import { parseTemplatesFile, TemplateFileError } from './template-file.js';

const parse = (doc: unknown) => parseTemplatesFile(JSON.stringify(doc), '/etc/boxroom/templates.json');
const refusal = (doc: unknown): string => {
  try {
    parse(doc);
  } catch (err) {
    expect(err).toBeInstanceOf(TemplateFileError);
    return (err as Error).message;
  }
  throw new Error('accepted');
};

describe('BOXROOM_TEMPLATES_FILE', () => {
  it('reads {"templates": [...]} as written', () => {
    const gimp = { id: 'gimp', name: 'GIMP', app: 'command', command: ['gimp'], image: 'me/gimp:2' };
    expect(parse({ templates: [gimp] })).toEqual([gimp]);
    expect(parse({ templates: [] })).toEqual([]);
  });

  it('refuses a bad file with the file, the template and the field in the message', () => {
    expect(refusal({ templates: [{ id: 'gimp', name: 'GIMP', app: 'command' }] })).toBe(
      'BOXROOM_TEMPLATES_FILE /etc/boxroom/templates.json: template "gimp": command: required when app is "command" (the argv to run)',
    );
    expect(
      refusal({
        templates: [
          { id: 'ok', name: 'OK', app: 'terminal' },
          { id: 'wide', name: 'W', app: 'terminal', width: 99999 },
        ],
      }),
    ).toMatch(/template "wide": width: /);
    expect(refusal({ templates: [{ name: 'no id', app: 'terminal' }] })).toMatch(/template #1: /);
    expect(refusal({ templates: [{ id: 'x', name: 'X', app: 'terminal', env: { PATH: '/tmp' } }] })).toMatch(
      /template "x": env/,
    );
    expect(refusal({ templates: [{ id: 'browser', name: 'Mine', app: 'browser' }] })).toMatch(
      /template "browser": id: "browser" is a built-in template/,
    );
    expect(
      refusal({
        templates: [
          { id: 'a', name: 'A', app: 'terminal' },
          { id: 'a', name: 'B', app: 'terminal' },
        ],
      }),
    ).toMatch(/template "a": id: given twice/);
    expect(refusal([{ id: 'a' }])).toMatch(/must be an object \{"templates": \[...\]\}/);
    expect(() => parseTemplatesFile('{"templates": [', 'f.json')).toThrow(/f.json: not JSON/);
  });
});
