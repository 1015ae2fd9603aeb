package dev.mirror.api;

import java.io.IOException;

/**
 * A transport had no room for a copy (every connection it may open to the shadow is busy), so it
 * did not send it. A {@link MirrorTransport} completes a copy's future with this to have it counted
 * as dropped ({@link DropReason#QUEUE_FULL}) rather than failed: nothing went wrong at the shadow,
 * and its circuit is not affected.
 */
public final class TransportFullException extends IOException {

  private static final long serialVersionUID = 1L;

  /** With a message saying which limit was reached. */
  public TransportFullException(String message) {
    super(message);
  }
}
