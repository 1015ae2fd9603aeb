package dev.mirror.core.internal.http1;

import java.io.IOException;

/**
 * A copy was pipelined behind another on a connection that ended before its answer: it fails
 * (it may have been read, so it is never sent again), counted as an IO failure but not held
 * against the shadow's health (the circuit), since it only shared the fate of the one before.
 */
public final class PipelinedBehindException extends IOException {

  private static final long serialVersionUID = 1L;

  PipelinedBehindException(String message, Throwable cause) {
    super(message, cause);
  }
}
