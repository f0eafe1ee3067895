import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  buildClientSchema,
  getOperationAST,
  type GraphQLSchema,
  Kind,
  parse,
  type SelectionSetNode,
  validate,
  type DocumentNode,
} from "graphql";
import { getVariableValues } from "graphql/execution/values.js";

/**
 * Checks GraphQL documents against GitHub's published schema
 * (@octokit/graphql-schema): the document must validate, its variables must
 * coerce to the declared input types (a misspelt input field fails), and a
 * mocked `data` may only hold fields the document selected.
 */

// The package exports only its ESM entry (which parses the schema on import); its JSON sits beside its @octokit sibling.
const require = createRequire(import.meta.url);
const schemaFile = () =>
  join(dirname(require.resolve("@octokit/openapi/package.json")), "..", "graphql-schema", "schema.json");
let schema: GraphQLSchema | undefined;

function githubSchema(): GraphQLSchema {
  schema ??= buildClientSchema(JSON.parse(readFileSync(schemaFile(), "utf8")));
  return schema;
}

interface GraphQLBody {
  query?: unknown;
  variables?: Record<string, unknown>;
}

function parsed(query: string): DocumentNode | string {
  try {
    return parse(query);
  } catch (error) {
    return (error as Error).message;
  }
}

export function checkGraphQLRequest(body: unknown): string[] {
  const { query, variables } = (body ?? {}) as GraphQLBody;
  if (typeof query !== "string") return ["POST /graphql: the body has no `query` string"];
  const document = parsed(query);
  if (typeof document === "string") return [`POST /graphql: ${document}`];
  const problems = validate(githubSchema(), document).map((e) => `POST /graphql document: ${e.message}`);
  const operation = getOperationAST(document);
  if (problems.length === 0 && operation) {
    const coerced = getVariableValues(githubSchema(), operation.variableDefinitions ?? [], variables ?? {});
    if (coerced.errors) problems.push(...coerced.errors.map((e) => `POST /graphql variables: ${e.message}`));
  }
  return problems;
}

/** Every key of the mocked `data` must be a field (or alias) the document selected, at every level. */
export function checkGraphQLResponse(body: unknown, responseBody: unknown): string[] {
  const { query } = (body ?? {}) as GraphQLBody;
  const data = (responseBody as { data?: unknown } | null)?.data;
  if (typeof query !== "string" || typeof data !== "object" || data === null) return [];
  const document = parsed(query);
  if (typeof document === "string") return [];
  const operation = getOperationAST(document);
  return operation ? unselected(data, operation.selectionSet, "data") : [];
}

function unselected(value: unknown, selection: SelectionSetNode, where: string): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => unselected(item, selection, `${where}[${i}]`));
  if (typeof value !== "object" || value === null) return [];
  const fields = new Map<string, SelectionSetNode | undefined>();
  for (const node of selection.selections) {
    if (node.kind === Kind.FIELD) fields.set(node.alias?.value ?? node.name.value, node.selectionSet);
    // Fragments: their fields may appear too; without resolving types, accept the inline ones' fields.
    if (node.kind === Kind.INLINE_FRAGMENT)
      for (const inner of node.selectionSet.selections)
        if (inner.kind === Kind.FIELD) fields.set(inner.alias?.value ?? inner.name.value, inner.selectionSet);
  }
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (!fields.has(key))
      problems.push(`POST /graphql response ${where}.${key}: the document did not select this field`);
    else if (fields.get(key)) problems.push(...unselected(child, fields.get(key)!, `${where}.${key}`));
  }
  return problems;
}
