package dev.mirror.api;

import java.util.Objects;

/**
 * A shadow's answer to a copy. The body is not kept.
 *
 * @param statusCode the HTTP status
 * @param headers the response headers
 */
public record ShadowResponse(int statusCode, Headers headers) {
  /** Validates. */
  public ShadowResponse {
    if (statusCode < 100 || statusCode > 999) {
      throw new IllegalArgumentException("statusCode: was " + statusCode + ", must be in [100, 999]");
    }
    Objects.requireNonNull(headers, "headers");
  }
}
