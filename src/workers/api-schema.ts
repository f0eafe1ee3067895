import type { JsonSchema } from "./types.js";

/**
 * Adapting a role's JSON Schema to what the model APIs accept. zod stays the
 * judge of every result: anything dropped here is still enforced by
 * runWorker's validation (and, failing it, by the contract retry).
 */

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The `$schema` marker is for JSON Schema tooling; API schema validators reject it. */
export function apiJsonSchema(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

// zod's `.int()` emits the safe-integer range as bounds, which says nothing.
const SAFE_BOUND = Number.MAX_SAFE_INTEGER;

/**
 * OpenAI's strict structured outputs (also used by `codex --output-schema`)
 * require every property to be listed in `required`, and support only part of
 * JSON Schema. Optional properties become required-but-nullable (the null is
 * dropped again by `dropNulls` before validation), string-length keywords and
 * meaningless integer bounds are removed.
 */
export function strictJsonSchema(schema: JsonSchema): JsonSchema {
  return strictNode(apiJsonSchema(schema)) as JsonSchema;
}

function strictNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strictNode);
  if (!isNode(node)) return node;
  const out: Node = {};
  for (const [key, value] of Object.entries(node)) {
    // `default` is dropped too: Azure OpenAI rejects strict schemas carrying it (zod still applies the default).
    if (key === "minLength" || key === "maxLength" || key === "default") continue;
    if ((key === "minimum" || key === "maximum") && Math.abs(Number(value)) >= SAFE_BOUND) continue;
    out[key] = key === "properties" && isNode(value) ? mapValues(value, strictNode) : strictNode(value);
  }
  if (out.type === "object" && isNode(out.properties)) {
    const required = new Set(Array.isArray(out.required) ? (out.required as string[]) : []);
    const properties = out.properties as Node;
    for (const name of Object.keys(properties)) {
      if (!required.has(name)) properties[name] = nullable(properties[name]);
    }
    out.required = Object.keys(properties);
    out.additionalProperties = false;
  }
  return out;
}

function mapValues(node: Node, fn: (v: unknown) => unknown): Node {
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fn(v)]));
}

function nullable(schema: unknown): unknown {
  if (!isNode(schema)) return schema;
  if (typeof schema.type === "string") {
    const widened: Node = { ...schema, type: [schema.type, "null"] };
    if (Array.isArray(schema.enum)) widened.enum = [...schema.enum, null];
    return widened;
  }
  return { anyOf: [schema, { type: "null" }] };
}

/** Undo `strictJsonSchema`'s nullable optionals: a null field becomes an absent one. */
export function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (!isNode(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, dropNulls(v)]),
  );
}
