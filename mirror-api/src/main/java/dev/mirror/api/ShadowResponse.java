package dev.mirror.api;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A shadow's answer to a copy. Its body is kept only as far as the copy asked ({@link
 * ShadowRequest#keepAnswerBytes()}), for comparison; otherwise it is drained and empty here.
 *
 * @param statusCode the HTTP status
 * @param headers the response headers
 * @param body the start of the body, up to the copy's {@code keepAnswerBytes}, read-only
 * @param bodyComplete false if the body was longer than what was kept
 */
public record ShadowResponse(int statusCode, Headers headers, ByteBuffer body,
    boolean bodyComplete) {

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

  /** Validates. */
  public ShadowResponse {
    if (statusCode < 100 || statusCode > 999) {
      throw new IllegalArgumentException("statusCode: was " + statusCode + ", must be in [100, 999]");
    }
    Objects.requireNonNull(headers, "headers");
    body = body == null ? EMPTY : body.asReadOnlyBuffer();
  }

  /** An answer whose body was not kept. */
  public ShadowResponse(int statusCode, Headers headers) {
    this(statusCode, headers, EMPTY, true);
  }

  /** Returns the kept body as a read-only buffer of its own, positioned at 0. */
  @Override
  public ByteBuffer body() {
    return body.duplicate();
  }
}
