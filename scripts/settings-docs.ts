// The settings tables of the docs, rendered from the settings tables of the code: README.md's
// "Room agent" table from the agent's, dashboard/README.md's from the dashboard's. Each sits between
// `<!-- settings:NAME -->` and `<!-- /settings -->`; scripts/settings-docs.mjs rewrites them and
// test/unit/config-docs.test.ts fails when they differ from the code.
import { DASHBOARD_SETTINGS } from '../dashboard/src/dashboard-settings.js';
import {
  AGENT_SETTINGS,
  markdownTable,
  settingsHeader,
  settingsRows,
  type SettingsTable,
} from '../contracts/src/settings/index.js';

export interface SettingsDoc {
  /** the markdown file, from the repository's root */
  readonly file: string;
  /** the marker's name */
  readonly name: string;
  readonly table: SettingsTable;
  /** a column naming the processes that read each variable (several programs share the table) */
  readonly readBy: boolean;
}

export const SETTINGS_DOCS: readonly SettingsDoc[] = [
  { file: 'README.md', name: 'room-agent', table: AGENT_SETTINGS, readBy: false },
  { file: 'dashboard/README.md', name: 'dashboard', table: DASHBOARD_SETTINGS, readBy: true },
];

const END = '<!-- /settings -->';
const begin = (name: string) => `<!-- settings:${name} -->`;

/** The text between a doc's markers; null when they are missing. */
export function sectionOf(markdown: string, name: string): string | null {
  const from = markdown.indexOf(begin(name));
  const to = markdown.indexOf(END, from);
  if (from < 0 || to < 0) return null;
  return markdown.slice(from + begin(name).length, to);
}

/** The header and rows of the first markdown table in a section, cells trimmed. */
export function tableCells(section: string): string[][] {
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

export function expectedCells(doc: SettingsDoc): string[][] {
  return [settingsHeader(doc), ...settingsRows(doc.table, doc)];
}

/** The markdown with the doc's section replaced by a freshly rendered table (unaligned). */
export function withTable(markdown: string, doc: SettingsDoc): string {
  if (sectionOf(markdown, doc.name) === null)
    throw new Error(`${doc.file} has no ${begin(doc.name)} ... ${END} section`);
  const from = markdown.indexOf(begin(doc.name)) + begin(doc.name).length;
  const to = markdown.indexOf(END, from);
  const table = markdownTable(settingsHeader(doc), settingsRows(doc.table, doc));
  return `${markdown.slice(0, from)}\n\n${table}\n\n${markdown.slice(to)}`;
}
