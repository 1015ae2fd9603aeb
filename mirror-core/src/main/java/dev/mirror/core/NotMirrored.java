package dev.mirror.core;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.Outcome;
import dev.mirror.api.SubmitResult;

/** The decisions not to mirror: constants, so saying no allocates nothing. */
enum NotMirrored implements Decision {
  DISABLED(SubmitResult.of(Outcome.DISABLED)),
  FILTERED_OUT(SubmitResult.of(Outcome.FILTERED_OUT)),
  SAMPLED_OUT(SubmitResult.of(Outcome.SAMPLED_OUT)),
  QUEUE_FULL(SubmitResult.dropped(DropReason.QUEUE_FULL)),
  CIRCUIT_OPEN(SubmitResult.dropped(DropReason.CIRCUIT_OPEN)),
  RATE_LIMITED(SubmitResult.dropped(DropReason.RATE_LIMITED)),
  LOOP(SubmitResult.dropped(DropReason.LOOP)),
  ERROR(SubmitResult.dropped(DropReason.ERROR));

  private final SubmitResult result;

  NotMirrored(SubmitResult result) {
    this.result = result;
  }

  static NotMirrored dropped(DropReason reason) {
    switch (reason) {
      case QUEUE_FULL:
        return QUEUE_FULL;
      case CIRCUIT_OPEN:
        return CIRCUIT_OPEN;
      case RATE_LIMITED:
        return RATE_LIMITED;
      case LOOP:
        return LOOP;
      default:
        return ERROR;
    }
  }

  @Override
  public boolean mirrored() {
    return false;
  }

  @Override
  public SubmitResult result() {
    return result;
  }

  @Override
  public int maxBodyBytes() {
    return 0;
  }
}
