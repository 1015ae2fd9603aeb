package dev.mirror.api;

import java.io.IOException;

/**
 * A transport had no room for a copy (every connection it may open to the shadow is busy), so it
 * did not send it. A {@link MirrorTransport} completes a copy's future with this to have it counted
 * as dropped ({@link DropReason#QUEUE_FULL}) rather than failed: nothing went wrong at the shadow,
 * and its circuit is not affected. The dispatcher then stops handing over copies for that target
 * for 10 ms but one for each of its copies that ends meanwhile (the room that copy gave back), so
 * a saturated transport costs the primary no more than a full in-flight cap does.
 */
public final class TransportFullException extends IOException {

  private static final long serialVersionUID = 1L;

  /** With a message saying which limit was reached. */
  public TransportFullException(String message) {
    super(message);
  }

  /** No stack trace: this is an expected outcome under load, and must cost next to nothing. */
  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
