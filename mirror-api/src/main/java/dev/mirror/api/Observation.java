package dev.mirror.api;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One side of a comparison, in Scientist's words: what the primary or a shadow answered to the
 * same request, or the error it ended with, and how long it took.
 *
 * @param source {@code primary}, or the target's name
 * @param status the HTTP status, or 0 if there was no answer
 * @param headers the answer's headers
 * @param body the answer's body as kept, read-only (empty when none was kept)
 * @param bodyComplete false when the body was longer than the comparison's limit and only its
 *     start was kept (such a body is not compared)
 * @param error why there is no answer (a failure reason, {@code missing}), or null
 * @param durationNanos the time to the answer, or -1 if unknown
 */
public record Observation(String source, int status, Headers headers, ByteBuffer body,
    boolean bodyComplete, String error, long durationNanos) {

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

  /** Validates; the body is kept as given. */
  public Observation {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(headers, "headers");
    body = body == null ? EMPTY : body.asReadOnlyBuffer();
  }

  /** An answer. */
  public static Observation answer(String source, int status, Headers headers, ByteBuffer body,
      boolean bodyComplete, long durationNanos) {
    return new Observation(source, status, headers, body, bodyComplete, null, durationNanos);
  }

  /** No answer, for this reason. */
  public static Observation failure(String source, String error, long durationNanos) {
    return new Observation(source, 0, Headers.empty(), null, true,
        Objects.requireNonNull(error, "error"), durationNanos);
  }

  /** Returns the body as a read-only buffer of its own, positioned at 0. */
  @Override
  public ByteBuffer body() {
    return body.duplicate();
  }

  /** True if there is an answer. */
  public boolean answered() {
    return error == null;
  }

  /** Returns this observation with another body (for {@link Comparison.Builder#clean}). */
  public Observation withBody(ByteBuffer newBody) {
    return new Observation(source, status, headers, newBody, bodyComplete, error, durationNanos);
  }

  @Override
  public String toString() {
    return "Observation[" + source + (error != null ? " " + error : " " + status + ", "
        + body.remaining() + " bytes") + "]";
  }
}
