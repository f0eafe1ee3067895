import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";

/**
 * JSON-schema checks for GitHub's published contracts. GitHub's schemas
 * describe what GitHub *accepts* and *returns*, but leave most objects open
 * (no `additionalProperties: false`), so a misspelt request field or an
 * invented response field would pass a plain validation — and GitHub
 * silently ignores unknown request fields. Each schema is therefore inlined
 * (its `$ref`s resolved) and closed: every object with declared properties
 * accepts only those. Responses are checked with `required` dropped, since a
 * mock answers with the fields the code reads, not the whole object.
 */

export type CheckMode = "request" | "response";

type Json = Record<string, any>;

/** Keys that only document a schema; dropping them keeps the compiled validator small. */
const ANNOTATIONS = new Set([
  "description",
  "example",
  "examples",
  "title",
  "deprecated",
  "readOnly",
  "writeOnly",
  "externalDocs",
  "x-github",
  "x-multi-segment",
]);

/** Resolves `#/a/b/c` inside `root`. */
function pointer(root: Json, ref: string): Json {
  if (!ref.startsWith("#/")) throw new Error(`external $ref ${ref} is not supported`);
  let node: any = root;
  for (const part of ref.slice(2).split("/")) node = node?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  if (node === undefined) throw new Error(`unresolvable $ref ${ref}`);
  return node as Json;
}

/** Inlines and closes schemas from one document; memoised per `$ref`, a cycle becomes `{}` (anything). */
export class SchemaInliner {
  private readonly memo = new Map<string, Json>();
  private readonly inProgress = new Set<string>();

  constructor(
    private readonly root: Json,
    private readonly mode: CheckMode,
  ) {}

  inline(node: unknown): Json {
    if (node === true || node === undefined) return {};
    if (typeof node !== "object" || node === null) return node as Json;
    const schema = node as Json;
    if (typeof schema.$ref === "string") return this.inlineRef(schema.$ref);
    const out: Json = {};
    for (const [key, value] of Object.entries(schema)) {
      if (ANNOTATIONS.has(key) || key === "$schema" || key === "$id") continue;
      if (key === "properties" || key === "patternProperties")
        out[key] = mapValues(value as Json, (v) => this.inline(v));
      else if (key === "items" || key === "additionalProperties" || key === "not" || key === "contains")
        out[key] = typeof value === "object" ? this.inline(value) : value;
      else if (key === "allOf" || key === "anyOf" || key === "oneOf")
        out[key] = (value as unknown[]).map((v) => this.inline(v));
      else out[key] = value;
    }
    return this.close(out);
  }

  private inlineRef(ref: string): Json {
    const done = this.memo.get(ref);
    if (done) return done;
    if (this.inProgress.has(ref)) return {};
    this.inProgress.add(ref);
    const result = this.inline(pointer(this.root, ref));
    this.inProgress.delete(ref);
    this.memo.set(ref, result);
    return result;
  }

  private close(schema: Json): Json {
    if (this.mode === "response") delete schema.required;
    // Several branches may fit once `required` is gone or objects overlap; "one of" would then reject a valid value.
    if (schema.oneOf) {
      schema.anyOf = schema.oneOf;
      delete schema.oneOf;
    }
    const closed = schema.allOf ? mergeAllOf(schema) : schema;
    if (closed.properties && closed.additionalProperties === undefined && !closed.anyOf && !closed.allOf)
      closed.additionalProperties = false;
    return typelessNullable(closed);
  }
}

/** `allOf` of object shapes is one object with every branch's properties; closing each branch alone would reject the others' fields. */
function mergeAllOf(schema: Json): Json {
  const branches = schema.allOf as Json[];
  const { allOf: _allOf, ...rest } = schema;
  const merged: Json = { ...rest, properties: { ...(rest.properties ?? {}) } };
  const required = new Set<string>(rest.required ?? []);
  let open = false;
  for (const branch of branches) {
    if (
      branch.anyOf ||
      branch.allOf ||
      branch.oneOf ||
      (!branch.properties && branch.type !== "object" && Object.keys(branch).length > 0)
    ) {
      // Not a plain object shape: keep the branch as a constraint, and leave the object open.
      (merged.allOf ??= []).push({ ...branch, additionalProperties: undefined });
      open = true;
      continue;
    }
    Object.assign(merged.properties, branch.properties ?? {});
    for (const name of branch.required ?? []) required.add(name);
    if (branch.additionalProperties !== false && branch.additionalProperties !== undefined) open = true;
    if (branch.nullable) merged.nullable = true;
    if (branch.type && !merged.type) merged.type = branch.type;
  }
  if (required.size > 0) merged.required = [...required];
  if (!open) merged.additionalProperties = false;
  return merged;
}

/** OpenAPI 3.0's `nullable` needs a `type` in Ajv; without one (`nullable` + `anyOf`), say "null or the rest". */
function typelessNullable(schema: Json): Json {
  // Ajv's `nullable` lets null past `type` but not past `enum`.
  if (schema.nullable && Array.isArray(schema.enum) && !schema.enum.includes(null))
    schema.enum = [...schema.enum, null];
  if (!schema.nullable || schema.type !== undefined) return schema;
  const { nullable: _nullable, ...rest } = schema;
  return { anyOf: [{ type: "null" }, rest] };
}

function mapValues(object: Json, map: (value: unknown) => Json): Json {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, map(v)]));
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const coercingAjv = new Ajv({ strict: false, allErrors: true, validateFormats: false, coerceTypes: "array" });

/** Compiles `schema` (already inlined); `coerce` turns query/path strings into the declared types first. */
export function compile(schema: Json, coerce = false): ValidateFunction {
  return (coerce ? coercingAjv : ajv).compile(schema);
}

/** Ajv's errors as lines naming where in the value and where in the schema each failed. */
export function describeErrors(errors: ErrorObject[] | null | undefined, where: string): string[] {
  const lines = (errors ?? []).map((e) => {
    const extra =
      e.keyword === "additionalProperties"
        ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"`
        : "";
    return `${where}${e.instancePath || "/"}: ${e.message}${extra} (schema ${e.schemaPath})`;
  });
  // Every failing anyOf branch is reported; the first few carry the point.
  return lines.slice(0, 8);
}
