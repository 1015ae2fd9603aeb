package dev.mirror.api;

import java.util.List;
import java.util.Objects;

/**
 * Header changes made to the copies one target gets, after the policy's {@link Rewrite}: a shadow
 * that needs its own credentials gets them here now that the clients' are masked by default
 * ({@link Rewrite#redactCredentials()}). Applied in this order: removed, masked (with the
 * policy's {@link Rewrite#maskValue()}), set.
 *
 * @param removeHeaders headers removed from this target's copies (any case)
 * @param maskHeaders headers whose values this target's copies carry masked
 * @param setHeaders headers set on this target's copies, replacing any of the same name (also
 *     what the policy set or masked); their values are never printed
 */
public record TargetHeaders(
    List<String> removeHeaders,
    List<String> maskHeaders,
    Headers setHeaders) {

  private static final TargetHeaders NONE = new TargetHeaders(List.of(), List.of(),
      Headers.empty());

  /** Validates and copies. */
  public TargetHeaders {
    removeHeaders = List.copyOf(removeHeaders);
    maskHeaders = List.copyOf(maskHeaders);
    Objects.requireNonNull(setHeaders, "setHeaders");
  }

  /** Returns the changes that change nothing (a target's default). */
  public static TargetHeaders none() {
    return NONE;
  }

  /** Returns true if this changes nothing. */
  public boolean isEmpty() {
    return removeHeaders.isEmpty() && maskHeaders.isEmpty() && setHeaders.isEmpty();
  }

  /** Names headers only: values set may be credentials and are never printed. */
  @Override
  public String toString() {
    return "TargetHeaders[remove=" + removeHeaders + ", mask=" + maskHeaders + ", set="
        + setHeaders.names() + "]";
  }
}
