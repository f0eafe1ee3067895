import type { ValidateFunction } from "ajv";
import { createRequire } from "node:module";
import { compile, describeErrors, SchemaInliner } from "./schema-check.js";

/**
 * Checks webhook payloads a test delivers against @octokit/webhooks-schemas:
 * a fixture adjusted by a test must still be a payload GitHub could send.
 */

const require = createRequire(import.meta.url);
let inliner: SchemaInliner | undefined;
const validators = new Map<string, ValidateFunction | null>();

export function checkWebhook(name: string, payload: Record<string, unknown>): string[] {
  const key = typeof payload.action === "string" ? `${name}$${payload.action}` : `${name}_event`;
  if (!validators.has(key)) {
    const schema = require("@octokit/webhooks-schemas") as { definitions: Record<string, unknown> };
    inliner ??= new SchemaInliner(schema as Record<string, any>, "request");
    const definition = schema.definitions[key] ?? schema.definitions[`${name}_event`];
    validators.set(key, definition ? compile(inliner.inline(definition)) : null);
  }
  const validate = validators.get(key);
  if (validate === null) return [`webhook ${key}: @octokit/webhooks-schemas has no such event`];
  if (validate!(payload)) return [];
  return describeErrors(validate!.errors, `webhook ${key} payload `);
}
