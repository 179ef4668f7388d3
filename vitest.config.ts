import { defineConfig } from 'vitest/config';

// Two tiers: fast unit tests run in parallel; integration tests (real Xvfb, x11vnc, PulseAudio,
// ffmpeg, media server, Docker, Chromium) run one file at a time on this 2-core machine.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/src/**/*.test.ts', 'test/unit/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/*.int.test.ts'],
          setupFiles: ['test/support/contract-setup.ts'],
        },
      },
      // Measurements, not tests: `npm run bench:player` (a timed test would be noisy and slow).
      ...(process.env.BOXROOM_BENCH
        ? [
            {
              test: {
                name: 'bench',
                include: ['bench/**/*.measure.ts'],
                fileParallelism: false,
                testTimeout: 600_000,
                hookTimeout: 600_000,
                globalSetup: ['test/support/build-bundles.ts'],
              },
            },
          ]
        : []),
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          fileParallelism: false,
          globalSetup: ['test/support/build-bundles.ts'],
          setupFiles: ['test/support/contract-setup.ts', 'test/support/contract-intercept.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
