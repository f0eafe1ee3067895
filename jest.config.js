/** Jest runs TypeScript as ESM through ts-jest (transpile only; `npm run build` type-checks). */
export default {
  testEnvironment: "node",
  extensionsToTreatAsEsm: [".ts"],
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  transform: {
    "^.+\\.ts$": ["ts-jest", { useESM: true, tsconfig: "tsconfig.json" }],
  },
  globalSetup: "<rootDir>/test/global-setup.ts",
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  testTimeout: 60000,
  // Most suites wait on child processes (git, workers, redis), not the CPU: Jest's default on a 2-core
  // machine (cores − 1 = one worker) left it idle half the time. Three workers: 12.5 → 4.6 minutes.
  maxWorkers: 3,
};
