package dev.mirror.api;

/** Why a copy that was decided on was not sent. Each is counted per target. */
public enum DropReason {
  /** The target already holds its maximum of copies in flight. */
  QUEUE_FULL,
  /** The body is larger than the policy's limit; copies are never truncated. */
  BODY_TOO_LARGE,
  /** The client did not send the whole body (it disconnected or the read failed). */
  INCOMPLETE_BODY,
  /** The target's circuit is open after consecutive failures. */
  CIRCUIT_OPEN,
  /** The target's rate limit is spent for now. */
  RATE_LIMITED,
  /** The request is itself a copy (it carries the marker header). */
  LOOP,
  /** The dispatcher closed before the copy could be sent. */
  CLOSED,
  /**
   * The body could not be scrubbed as the policy asks (a JSON body that does not parse, a
   * compressed one), so no copy of it is sent half-scrubbed.
   */
  SCRUB_FAILED,
  /** Mirroring failed inside (a bug, or a sampler or an entry point that threw); logged. */
  ERROR
}
