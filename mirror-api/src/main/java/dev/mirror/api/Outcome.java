package dev.mirror.api;

/** What became of a request handed to a {@link MirrorDispatcher}, or of its copy to one target. */
public enum Outcome {
  /** Copies were accepted and will be sent. */
  ACCEPTED,
  /** The sampler said no. */
  SAMPLED_OUT,
  /** No policy takes the request, or its policy's filter let it not through. */
  FILTERED_OUT,
  /** The copy was dropped; {@link SubmitResult#dropReason()} says why. */
  DROPPED,
  /** Mirroring is switched off (or the dispatcher is closed). */
  DISABLED
}
