/**
 * A stage check run's `external_id` (SPEC §8): `<task>/<stage>/<run>`. It is
 * how a re-requested check run names the stage to verify again, so the
 * webhook handler can tell okstra's check runs apart without an API call.
 */

export interface CheckRunTarget {
  task: number;
  stage: number;
  run: string;
}

const STAGE_CHECK_PREFIX = "okstra / stage ";

export function stageCheckName(stage: number): string {
  return `${STAGE_CHECK_PREFIX}${stage}`;
}

export function checkRunExternalId(target: CheckRunTarget): string {
  return `${target.task}/${target.stage}/${target.run}`;
}

/** The target of one of okstra's stage check runs, or null for any other check run. */
export function parseCheckRunTarget(check: { name: string; external_id?: string | null }): CheckRunTarget | null {
  const match = /^([1-9]\d*)\/([1-9]\d*)\/([a-z][a-z-]*-\d+)$/.exec(check.external_id ?? "");
  if (!match) return null;
  const target = { task: Number(match[1]), stage: Number(match[2]), run: match[3]! };
  // The name must agree with the id: a check run of another app that happens to use the same id format is not ours.
  return check.name === stageCheckName(target.stage) ? target : null;
}
