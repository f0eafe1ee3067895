import type { Probot } from "probot";
import { openLocalServices } from "../../src/cli/local-services.js";
import { executeCommand, type CommandOutcome } from "../../src/engine/execute-command.js";
import type { CommandJob, JobQueue, QueueJob, ReverifyJob } from "../../src/queue/types.js";
import type { LocalRepo } from "./local-repo.js";
import { createTestAppWith } from "./probot.js";
import { approvedRepo, verifier } from "../verification/verification-repo.js";

export interface LocalEngineApp {
  repo: LocalRepo;
  probot: Probot;
  queue: JobQueue;
  /** Every job the handlers queued, in order. */
  jobs: QueueJob[];
  /** What the engine made of each job it carried out. */
  outcomes: CommandOutcome[];
}

/**
 * The real Probot app in front of the real engine on the local platform: an
 * approved sample repository (two verifiers with the given findings flags),
 * implemented by `implement`, whose queued jobs of the kinds `carries` accepts
 * are carried out by `executeCommand` against the local repository. Any other
 * job kind fails the test: it is not part of it.
 */
export async function localEngineApp(options: {
  verifierFlags: [string, string];
  implement: string;
  carries: (job: QueueJob) => job is CommandJob | ReverifyJob;
}): Promise<LocalEngineApp> {
  const repo = await approvedRepo({ verifiers: options.verifierFlags.map(verifier) });
  const implemented = await repo.run(options.implement);
  if (implemented.code !== 0) throw new Error(`${options.implement} failed: ${implemented.stderr}`);
  const services = await openLocalServices(repo.dir, "maintainer");
  const outcomes: CommandOutcome[] = [];
  const { probot, queue, jobs } = await createTestAppWith(async (job) => {
    if (!options.carries(job)) throw new Error(`a ${job.kind ?? "command"} job is not part of this test`);
    outcomes.push(await executeCommand(job, services));
  });
  return { repo, probot, queue, jobs, outcomes };
}
