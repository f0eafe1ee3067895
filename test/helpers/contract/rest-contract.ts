import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { ValidateFunction } from "ajv";
import { compile, describeErrors, SchemaInliner } from "./schema-check.js";

/**
 * Checks REST requests and responses against GitHub's OpenAPI description
 * (@octokit/openapi, api.github.com). The 13 MB description is parsed on the
 * first check of a test file and each operation's validators are compiled on
 * its first use, then cached.
 */

type Json = Record<string, any>;

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Literal characters of the template: the more, the more specific. */
  specificity: number;
  definition: Json;
  pathItem: Json;
}

interface CompiledOperation {
  pathParams: ValidateFunction;
  query: ValidateFunction;
  body: ValidateFunction | null;
  bodyRequired: boolean;
  responses: Map<number, ValidateFunction | null>;
}

const require = createRequire(import.meta.url);
let spec: Json | undefined;
let operations: Operation[] | undefined;
const compiled = new Map<Operation, CompiledOperation>();
let requestInliner: SchemaInliner | undefined;
let responseInliner: SchemaInliner | undefined;

function description(): Json {
  spec ??= JSON.parse(readFileSync(require.resolve("@octokit/openapi/generated/api.github.com.json"), "utf8")) as Json;
  return spec;
}

function allOperations(): Operation[] {
  if (operations) return operations;
  const list: Operation[] = [];
  for (const [template, pathItem] of Object.entries(description().paths as Json)) {
    const multi = new Set(
      ((pathItem as Json).get?.parameters ?? []).filter((p: Json) => p["x-multi-segment"]).map((p: Json) => p.name),
    );
    const source = template
      .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
      .replace(/\{([^}]+)\}/g, (_m, name: string) => (multi.has(name) || name === "ref" ? "(.+)" : "([^/]+)"));
    for (const method of ["get", "post", "put", "patch", "delete"]) {
      const definition = (pathItem as Json)[method];
      if (!definition) continue;
      list.push({
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source}$`),
        specificity: template.replace(/\{[^}]+\}/g, "").length,
        definition,
        pathItem: pathItem as Json,
      });
    }
  }
  operations = list.sort((a, b) => b.specificity - a.specificity);
  return operations;
}

/** The documented operation for a request, e.g. `POST /repos/{owner}/{repo}/issues/{issue_number}/comments`. */
export function findOperation(method: string, path: string): Operation | undefined {
  return allOperations().find((op) => op.method === method && op.pattern.test(path));
}

function resolveParameter(parameter: Json): Json {
  return parameter.$ref
    ? (parameter.$ref
        .slice(2)
        .split("/")
        .reduce((node: Json, part: string) => node[part], description()) as Json)
    : parameter;
}

function parameterSchema(parameters: Json[], location: "path" | "query"): Json {
  const selected = parameters.filter((p) => p.in === location);
  return {
    type: "object",
    properties: Object.fromEntries(selected.map((p) => [p.name, requestInliner!.inline(p.schema ?? {})])),
    required: selected.filter((p) => p.required).map((p) => p.name),
    additionalProperties: false,
  };
}

function compileOperation(op: Operation): CompiledOperation {
  const done = compiled.get(op);
  if (done) return done;
  requestInliner ??= new SchemaInliner(description(), "request");
  responseInliner ??= new SchemaInliner(description(), "response");
  const parameters = [...(op.pathItem.parameters ?? []), ...(op.definition.parameters ?? [])].map(resolveParameter);
  const bodySchema = op.definition.requestBody?.content?.["application/json"]?.schema;
  const result: CompiledOperation = {
    pathParams: compile(parameterSchema(parameters, "path"), true),
    query: compile(parameterSchema(parameters, "query"), true),
    body: bodySchema ? compile(requestInliner.inline(bodySchema)) : null,
    bodyRequired: op.definition.requestBody?.required === true,
    responses: new Map(),
  };
  compiled.set(op, result);
  return result;
}

function responseValidator(op: Operation, compiledOp: CompiledOperation, status: number): ValidateFunction | null {
  if (!compiledOp.responses.has(status)) {
    const response = op.definition.responses?.[String(status)];
    const resolved = response?.$ref ? resolveParameter(response) : response;
    const schema = resolved?.content?.["application/json"]?.schema;
    compiledOp.responses.set(status, schema ? compile(withErrorStatus(responseInliner!.inline(schema), status)) : null);
  }
  return compiledOp.responses.get(status)!;
}

/**
 * GitHub's error bodies carry `status` (the code as a string, e.g. `"422"`)
 * beside `message` and `documentation_url`; the published error schemas do
 * not list it yet.
 */
function withErrorStatus(schema: Json, status: number): Json {
  if (status < 400 || !schema.properties || schema.properties.status) return schema;
  return { ...schema, properties: { ...schema.properties, status: { type: "string" } } };
}

export interface RestExchange {
  method: string;
  /** The REST path with its query, without GitHub Enterprise's `/api/v3` prefix. */
  path: string;
  body: unknown;
  status?: number;
  responseBody?: unknown;
}

/** GitHub's `Link` headers name repositories by id (`/repositories/42/…`), an alias of `/repos/{owner}/{repo}/…`. */
function byRepositoryName(path: string): string {
  return path.replace(/^\/repositories\/\d+\//, "/repos/by-id/repository/");
}

/** Problems with the request as GitHub would see it; empty when GitHub accepts it. */
export function checkRestRequest({ method, path, body }: RestExchange): string[] {
  const url = new URL(path, "https://api.github.com");
  const rawPath = byRepositoryName(url.pathname);
  const op = findOperation(method, rawPath);
  if (!op) return [`${method} ${rawPath}: GitHub's REST API has no such operation (@octokit/openapi paths)`];
  const where = `${method} ${op.template}`;
  const compiledOp = compileOperation(op);
  const problems: string[] = [];
  const names = [...op.template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const values = op.pattern.exec(rawPath)!.slice(1).map(decodeURIComponent);
  if (!compiledOp.pathParams(Object.fromEntries(names.map((n, i) => [n, values[i]]))))
    problems.push(...describeErrors(compiledOp.pathParams.errors, `${where} path parameter `));
  const query: Json = {};
  for (const [key, value] of url.searchParams) query[key] = value;
  if (!compiledOp.query(query)) problems.push(...describeErrors(compiledOp.query.errors, `${where} query `));
  const hasBody =
    body !== undefined &&
    body !== null &&
    body !== "" &&
    !(typeof body === "object" && Object.keys(body).length === 0 && method === "GET");
  if (compiledOp.body && hasBody && !compiledOp.body(body))
    problems.push(...describeErrors(compiledOp.body.errors, `${where} request body `));
  if (!compiledOp.body && hasBody && method !== "GET")
    problems.push(`${where}: GitHub documents no request body, got ${JSON.stringify(body).slice(0, 120)}`);
  if (compiledOp.body && compiledOp.bodyRequired && !hasBody) problems.push(`${where}: the request body is required`);
  return problems;
}

/** Problems with a mocked response: a field GitHub does not return, or a value of the wrong type. */
export function checkRestResponse({ method, path, status, responseBody }: RestExchange): string[] {
  if (status === undefined || typeof responseBody !== "object" || responseBody === null) return [];
  const op = findOperation(method, byRepositoryName(new URL(path, "https://api.github.com").pathname));
  if (!op) return [];
  const validate = responseValidator(op, compileOperation(op), status);
  if (!validate || validate(responseBody)) return [];
  return describeErrors(validate.errors, `${method} ${op.template} response ${status} body `);
}
