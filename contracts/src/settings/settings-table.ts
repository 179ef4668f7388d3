import type { Setting, SettingsTable } from './define-settings.js';

/** The docs' default cell of a setting. */
export function docDefault(s: Setting): string {
  if (s.docDefault !== undefined) return s.docDefault;
  if (s.type === 'list' || s.default === null) return '(none)';
  return `\`${s.default}\``;
}

/**
 * A settings table as the docs show it, one row per variable (cells without the `|`): variable,
 * default, meaning, and with `readBy` the processes that read it. README.md and dashboard/README.md
 * hold these rows (test/unit/config-docs.test.ts compares them, scripts/settings-docs.mjs writes them).
 */
export function settingsRows(table: SettingsTable, opts: { readBy?: boolean } = {}): string[][] {
  return Object.entries(table).map(([name, s]) => [
    `\`${name}\``,
    docDefault(s),
    ...(opts.readBy ? [s.processes.join(', ')] : []),
    s.doc,
  ]);
}

export function settingsHeader(opts: { readBy?: boolean } = {}): string[] {
  return ['variable', 'default', ...(opts.readBy ? ['read by'] : []), 'meaning'];
}

/** Markdown of a header and rows (prettier aligns the columns when the file is formatted). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
