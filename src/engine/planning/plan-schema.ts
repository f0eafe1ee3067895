/** Moved to src/plan/ (the plan is shared domain, not the planning phase's): kept so branches written against the old path still build. */
export * from "../../plan/plan-schema.js";
