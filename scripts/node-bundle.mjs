// esbuild options shared by every Node bundle of ours (scripts/build.mjs, bench/dashboard-start.mjs).

/** Leaves npm dependencies to node_modules at run time, like `packages: 'external'` minus our own. */
const externalDependencies = {
  name: 'external-dependencies',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@boxroom/') || args.path.startsWith('node:')
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

// CommonJS dependencies bundled into ESM still call require(): give them one,
// and __filename/__dirname, which some of them read at load time.
const ONE_FILE_BANNER = [
  "import { createRequire as __cr } from 'node:module';",
  "import { fileURLToPath as __f2p } from 'node:url';",
  "import { dirname as __dn } from 'node:path';",
  'const require = __cr(import.meta.url);',
  'const __filename = __f2p(import.meta.url);',
  'const __dirname = __dn(__filename);',
].join(' ');

/**
 * A Node 20 ESM bundle: `oneFile` takes the npm dependencies in too, else they stay in node_modules.
 * Workspace packages (@boxroom/*) are TypeScript sources: always bundled.
 */
export function nodeBundleOptions({ oneFile }) {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    plugins: oneFile ? [] : [externalDependencies],
    banner: oneFile ? { js: ONE_FILE_BANNER } : undefined,
    // Optional native addons of ssh2 (through dockerode) and pg (pg-native, loaded only when asked
    // for): never used by us, and not bundleable.
    external: oneFile ? ['cpu-features', 'pg-native', '*.node'] : [],
  };
}
