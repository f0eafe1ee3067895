import { builtInProviders, type ProviderRegistry } from "./providers/index.js";
import { runWorker } from "./run-worker.js";
import type { WorkerInvocation, WorkerOutcome } from "./types.js";

/**
 * The worker port as the engine holds it (`EngineServices.workers`): one call runs one worker to a terminal
 * outcome. The App and the CLI use `workerPort()`; an engine test passes one built on its own providers.
 */
export interface WorkerPort {
  run<T>(invocation: WorkerInvocation<T>): Promise<WorkerOutcome<T>>;
}

/** `runWorker` (budget, deadline, retries, validation) over a provider registry, the built-in one by default. */
export function workerPort(providers: ProviderRegistry = builtInProviders): WorkerPort {
  return {
    run: (invocation) => runWorker({ ...invocation, providers: invocation.providers ?? providers }),
  };
}
