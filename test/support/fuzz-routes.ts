/** A route as fastify registered it: method and URL pattern (`:param`, `*`). */
export interface RouteDef {
  method: string;
  url: string;
}

/**
 * Every route of a fastify app, read from `app.printRoutes({ commonPrefix: false })`, so a fuzz test
 * covers routes added later without a list to keep up to date. The tree prints one node a line:
 * `│   └── /:id (GET, HEAD)`; a node's URL is its parents' URLs followed by its own segment.
 */
export function routesOf(printed: string): RouteDef[] {
  const out: RouteDef[] = [];
  const stack: string[] = [];
  for (const line of printed.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    if (!m[3]) continue;
    const url = stack.join('');
    for (const method of m[3].split(', ')) out.push({ method, url: url.startsWith('/') ? url : `/${url}` });
  }
  return out;
}

/** The URL of a route with its parameters filled in by `param(name)` and `*` by `wild()`. */
export function fillRoute(url: string, param: (name: string) => string, wild: () => string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => param(name)).replace(/\*/g, () => wild());
}
