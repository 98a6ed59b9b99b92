import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/chaos/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Integration files start servers and workers; two at a time suits a 2-core machine.
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'chaos',
          include: ['test/integration/chaos/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Each chaos run starts several processes of its own: one run at a time, after the rest, so
          // two runs never starve each other's restarts on a 2-core machine.
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
