package dev.mirror.core.internal.http1;

import java.net.http.HttpTimeoutException;

/**
 * A copy's read timeout passed while it waited, pipelined, behind a slower answer on its
 * connection: counted as a timeout, but not held against the shadow's health (the circuit), since
 * the copy may only have waited its turn.
 */
public final class QueuedBehindTimeoutException extends HttpTimeoutException {

  private static final long serialVersionUID = 1L;

  QueuedBehindTimeoutException(String message) {
    super(message);
  }
}
