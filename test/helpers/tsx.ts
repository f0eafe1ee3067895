import { fileURLToPath } from "node:url";

/** The `tsx` binary, for tests that run a TypeScript child process of their own. */
export const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
