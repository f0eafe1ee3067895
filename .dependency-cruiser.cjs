/**
 * The import direction of STYLE.md, checked on every `npm test` (docs/architecture.md):
 *   cli, demo → handlers → queue → engine → (the ports and their neighbours) → plan → render → util
 * A folder may import from its own layer and the layers after it, never from one before it.
 * render turns facts into text: it may name the upper layers' types, never call their code.
 * Outside the layers: the composition roots at src/ (index, app, start, octokit), src/server (metrics
 * the queue feeds and ops routes that read the queue) and src/jobs (its own rule below).
 */
const LAYERS = [
  ["cli", "demo"],
  ["handlers"],
  ["queue"],
  ["engine"],
  ["ledger", "platform", "workers", "workspace", "sandbox", "config", "commands", "view"],
  ["plan"],
  ["render"],
  ["util"],
];

const folders = (names) => `^src/(${names.join("|")})/`;

/** One rule per layer: nothing in it imports a folder of an earlier layer. */
const upwardRules = LAYERS.slice(1).map((layer, index) => {
  const earlier = LAYERS.slice(0, index + 1).flat();
  const isRender = layer.includes("render");
  return {
    name: `no-upward-import-from-${layer.join("-")}`,
    comment: `${layer.join(", ")} sits below ${earlier.join(", ")}: import downward only (cli, demo → handlers → queue → engine → ports → plan → render → util)${isRender ? "; render may import types only" : ""}.`,
    severity: "error",
    from: { path: folders(layer) },
    to: { path: folders(earlier), ...(isRender ? { dependencyTypesNot: ["type-only"] } : {}) },
  };
});

module.exports = {
  forbidden: [
    ...upwardRules,
    {
      name: "engine-imports-no-github-client",
      comment: "The engine reaches GitHub only through the platform port (STYLE.md): no probot, no @octokit/*.",
      severity: "error",
      from: { path: "^src/engine/" },
      to: { path: "node_modules/(probot|@octokit/)" },
    },
    {
      name: "engine-uses-the-ledger-entry",
      comment:
        "The engine reaches the ledger through src/ledger/index.ts only (issue #20): a write the engine needs " +
        "is a ledger function or a Ledger method, never a mutation built from the ledger's internals.",
      severity: "error",
      from: { path: "^src/engine/" },
      to: { path: "^src/ledger/", pathNot: "^src/ledger/index\\.ts$" },
    },
    {
      name: "jobs-are-neutral",
      comment: "src/jobs holds the job shapes the handlers, the queue and the engine share: it imports none of them.",
      severity: "error",
      from: { path: "^src/jobs/" },
      to: { path: "^src/(handlers|queue|engine|ledger|workers|workspace|render)/" },
    },
    {
      name: "render-imports-no-engine-values",
      comment: "render may name engine types (import type) but never call engine code.",
      severity: "error",
      from: { path: "^src/render/" },
      to: { path: "^src/engine/", dependencyTypesNot: ["type-only"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    includeOnly: "^(src|node_modules)/",
    tsPreCompilationDeps: true,
    // A copy of the tree whose node_modules is a link (test/tooling) resolves packages as the tree does.
    preserveSymlinks: true,
    tsConfig: { fileName: "tsconfig.build.json" },
    skipAnalysisNotInRules: true,
  },
};
