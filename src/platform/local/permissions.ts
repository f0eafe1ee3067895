import { PERMISSION_LEVELS, type Permission } from "../types.js";
import { readJson, storePath } from "./store.js";

export const PERMISSIONS_FILE = "permissions.json";

/**
 * `.okstra-local/permissions.json` maps logins to levels. Anyone not listed is
 * `admin`: the person running the CLI owns the repository. Logins compare
 * case-insensitively, as on GitHub. A level okstra does not know is an error,
 * never a silent default, because it decides who may run commands.
 */
export async function localPermission(repoDir: string, login: string): Promise<Permission> {
  const file = storePath(repoDir, PERMISSIONS_FILE);
  const table = await readJson<unknown>(file);
  if (table === null) return "admin";
  if (typeof table !== "object" || Array.isArray(table))
    throw new Error(`${file} must be a JSON object of login → permission`);
  const entry = Object.entries(table as Record<string, unknown>).find(
    ([key]) => key.toLowerCase() === login.toLowerCase(),
  );
  if (entry === undefined) return "admin";
  const level = entry[1];
  if (typeof level !== "string" || !(PERMISSION_LEVELS as readonly string[]).includes(level)) {
    throw new Error(
      `${file}: "${entry[0]}" has unknown permission ${JSON.stringify(level)} (expected one of ${PERMISSION_LEVELS.join(", ")})`,
    );
  }
  return level as Permission;
}
