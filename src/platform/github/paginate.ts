import type { GitHubClient } from "./client.js";

/**
 * Every list that can exceed a page is read through here (SPEC §10). Octokit's
 * `paginate` is not part of `GitHubClient`, so this follows the `Link` header's
 * `rel="next"` itself: GitHub builds those URLs, which keeps any cursor or
 * extra query parameters it needs intact.
 */
export async function paginate<T>(
  client: GitHubClient,
  route: string,
  params: Record<string, unknown>,
  // A few lists come wrapped (`GET /installation/repositories` → `{ total_count, repositories }`).
  itemsOf: (data: unknown) => T[] = (data) => data as T[],
): Promise<T[]> {
  const items: T[] = [];
  let response = await client.request(route, { ...params, per_page: 100 });
  for (;;) {
    items.push(...itemsOf(response.data));
    const next = nextPageUrl(response.headers.link);
    if (!next) return items;
    response = await client.request(`GET ${next}`);
  }
}

/** The `rel="next"` URL of a `Link` header, if any. */
export function nextPageUrl(link: string | undefined): string | null {
  if (!link) return null;
  for (const part of link.split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match) return match[1];
  }
  return null;
}
