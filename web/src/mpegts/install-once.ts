/**
 * Marks `proto` as patched by `name` and answers whether it was not yet: every patch of mpegts.js's
 * prototypes (this directory) installs once, however often its module is loaded or its install called
 * (a second wrap would run the patch twice per sample).
 */
export function firstInstall(proto: object, name: string): boolean {
  const key = Symbol.for(`boxroom.${name}`);
  const marked = proto as Record<symbol, true | undefined>;
  if (marked[key]) return false;
  marked[key] = true;
  return true;
}
