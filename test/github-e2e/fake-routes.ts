import type { components } from "@octokit/openapi-types";

/**
 * The vocabulary shared by the fake GitHub's route modules. Response bodies
 * are typed as `Pick`s of the REST schemas in @octokit/openapi-types, so a
 * field the real API does not have cannot be invented here.
 */

export type Schemas = components["schemas"];

export type Reply = [status: number, body: unknown] | [status: number, body: unknown, headers: Record<string, string>];

export interface RouteRequest {
  url: URL;
  /** Regex groups of the route's path. */
  params: string[];
  body: any; // the parsed JSON body nock hands over
  headers: Record<string, string>;
}

export interface Route {
  method: "GET" | "POST" | "PATCH";
  /** The documented route, used to count requests (`GET /repos/{owner}/{repo}/git/ref/{ref}`). */
  name: string;
  path: RegExp;
  /** Only requests whose body passes this are this route's (GraphQL: one mutation per route). */
  matchBody?: (body: any) => boolean;
  handle(request: RouteRequest): Promise<Reply> | Reply;
}

export const API = "https://api.github.com";
export const REST_DOCS = "https://docs.github.com/rest";

export function notFound(docs: string): Reply {
  return [404, { message: "Not Found", documentation_url: `${REST_DOCS}/${docs}`, status: "404" }];
}

export function unprocessable(message: string, docs: string, errors?: unknown[]): Reply {
  return [422, { message, ...(errors ? { errors } : {}), documentation_url: `${REST_DOCS}/${docs}`, status: "422" }];
}

/** `^/repos/<owner>/<repo><rest>` with an optional query, `rest` a regex source. */
export function repoPath(owner: string, repo: string, rest: string): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^/repos/${escape(owner)}/${escape(repo)}${rest}(?:\\?.*)?$`);
}

/** GitHub's timestamps: ISO 8601 without milliseconds. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export type SimpleUser = Pick<
  Schemas["simple-user"],
  "login" | "id" | "node_id" | "type" | "site_admin" | "url" | "html_url" | "avatar_url"
>;

export function simpleUser(login: string, type: "User" | "Bot", id: number): SimpleUser {
  return {
    login,
    id,
    node_id: Buffer.from(`04:${type}${id}`).toString("base64"),
    type,
    site_admin: false,
    url: `${API}/users/${encodeURIComponent(login)}`,
    html_url: `https://github.com/${encodeURIComponent(login)}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
  };
}
