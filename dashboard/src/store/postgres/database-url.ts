/**
 * The connection string with its password (and a `password` parameter) replaced, for log lines and
 * error messages: BOXROOM_DATABASE_URL carries a credential.
 */
export function redactDatabaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '[unparseable database URL]';
  }
  if (url.password) url.password = 'redacted';
  for (const key of [...url.searchParams.keys()]) {
    if (/pass|secret|key/i.test(key)) url.searchParams.set(key, 'redacted');
  }
  return url.toString();
}
