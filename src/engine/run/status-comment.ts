import type { Platform, RateLimitWaitNotice, RateLimitWaits } from "../../platform/types.js";
import { renderRunStatus } from "../../render/run-status.js";
import { issueChannel, type ReplyChannel } from "./reply-channel.js";
import type { RunState } from "./run-state.js";
import { sandboxOffNotice } from "../../sandbox/index.js";

export interface StatusCommentOptions {
  /** Minimum time between two edits (SPEC §8: ≥ 2 s). */
  minIntervalMs?: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** Where the comment is written when not on issue `issueNumber`'s conversation (a review thread, SPEC §15.1). */
  channel?: ReplyChannel;
  /** Rate-limit waits of the run's requests: the comment says the run is waiting and until when (SPEC §8, §10). */
  rateLimitWaits?: RateLimitWaits;
}

/**
 * One status comment per run, edited in place. Intermediate updates are
 * throttled and coalesced (only the newest state is written); `finish` always
 * writes the final state, waiting out the throttle window if it must. A run
 * that finishes before its first write costs a single comment creation.
 */
export class StatusComment {
  private commentId: number | null = null;
  private lastBody: string | null = null;
  private lastWriteAt = 0;
  private pending: RunState | null = null;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();
  private readonly minIntervalMs: number;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly channel: ReplyChannel;
  /** The newest state shown or to be shown, so a rate-limit notice can be added to it. */
  private lastState: RunState | null = null;
  private rateLimitWait: RateLimitWaitNotice | null = null;
  /** Bumped per notice; a write that rendered an older one writes again. */
  private noticeVersion = 0;
  private writeInFlight = false;
  private finishing = false;
  private readonly stopListening: () => void;

  constructor(
    platform: Platform,
    issueNumber: number,
    options: StatusCommentOptions = {},
    private readonly onIntermediateError: (error: unknown) => void = () => undefined,
  ) {
    this.minIntervalMs = options.minIntervalMs ?? 2000;
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.channel = options.channel ?? issueChannel(platform, issueNumber);
    this.stopListening = options.rateLimitWaits?.listen((wait) => this.noteRateLimitWait(wait)) ?? (() => undefined);
  }

  /**
   * A request of the run waits out a rate limit. The listener is called from
   * inside the throttled request, so it must never wait on a request itself:
   * it only records the notice. The request being throttled may be this
   * comment's own write; then the write in flight sees the newer notice when
   * it returns and writes once more (at the end of the wait, saying the run
   * waited until then). Otherwise the notice goes out as a normal update,
   * paced and queued behind any write in flight, so nothing deadlocks.
   */
  private noteRateLimitWait(wait: RateLimitWaitNotice): void {
    this.rateLimitWait = wait;
    this.noticeVersion += 1;
    // `finish` renders the newest notice itself; an update now would race its write.
    if (this.lastState && !this.writeInFlight && !this.finishing) this.update(this.lastState);
  }

  get id(): number | null {
    return this.commentId;
  }

  /** Shows an intermediate state, at most once per interval. */
  update(state: RunState): void {
    this.lastState = structuredClone(state);
    this.pending = structuredClone(state);
    if (this.timer) return;
    const wait =
      this.commentId === null ? 0 : Math.max(0, this.lastWriteAt + this.minIntervalMs - this.now().getTime());
    this.timer = setTimeout(() => {
      this.timer = null;
      const next = this.pending;
      this.pending = null;
      if (next) this.enqueueWrite(next);
    }, wait);
  }

  /** Writes the final state; resolves once it is on the platform. */
  async finish(state: RunState): Promise<void> {
    this.finishing = true;
    this.lastState = structuredClone(state);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
    await this.writing;
    if (this.commentId !== null) {
      const wait = this.lastWriteAt + this.minIntervalMs - this.now().getTime();
      if (wait > 0) await this.sleep(wait);
    }
    // The final write is not swallowed: a run whose outcome cannot be shown must say so upstream.
    try {
      await this.write(structuredClone(state));
    } finally {
      this.stopListening();
    }
  }

  /** Intermediate writes are best-effort: a failed one is superseded by the next, and the final one is awaited. */
  private enqueueWrite(state: RunState): void {
    this.writing = this.writing
      .then(() => this.write(state))
      .catch((error: unknown) => this.onIntermediateError(error));
  }

  private async write(state: RunState): Promise<void> {
    this.writeInFlight = true;
    try {
      // Again while a rate-limit notice arrived during the write (the write itself was the one that waited).
      for (let rendered = -1; rendered !== this.noticeVersion; ) {
        rendered = this.noticeVersion;
        await this.send(
          renderRunStatus(state, this.now(), {
            rateLimitWait: this.rateLimitWait ?? undefined,
            unconfined: sandboxOffNotice(),
          }),
        );
      }
    } finally {
      this.writeInFlight = false;
    }
  }

  private async send(body: string): Promise<void> {
    if (body === this.lastBody) return;
    if (this.commentId === null) {
      const comment = await this.channel.post(body);
      this.commentId = comment.id;
    } else {
      await this.channel.edit(this.commentId, body);
    }
    this.lastBody = body;
    this.lastWriteAt = this.now().getTime();
  }
}
