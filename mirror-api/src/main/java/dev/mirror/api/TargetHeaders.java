package dev.mirror.api;

import java.util.List;
import java.util.Objects;

/**
 * Header changes made to the copies one target gets, after the policy's {@link Rewrite}: a shadow
 * that needs its own credentials gets them here now that the clients' are masked by default
 * ({@link Rewrite#redactCredentials()}). Applied in this order: kept, removed, masked (with the
 * policy's {@link Rewrite#maskValue()}), set.
 *
 * @param keepHeaders headers this target's copies carry as the client sent them, even where the
 *     policy masked or removed them: the operator's choice, per target, to send a shadow the
 *     clients' credentials (said at start-up)
 * @param removeHeaders headers removed from this target's copies (any case)
 * @param maskHeaders headers whose values this target's copies carry masked
 * @param setHeaders headers set on this target's copies, replacing any of the same name (also
 *     what the policy set or masked); their values are never printed
 */
public record TargetHeaders(
    List<String> keepHeaders,
    List<String> removeHeaders,
    List<String> maskHeaders,
    Headers setHeaders) {

  private static final TargetHeaders NONE = new TargetHeaders(List.of(), List.of(), List.of(),
      Headers.empty());

  /** Validates and copies. */
  public TargetHeaders {
    keepHeaders = List.copyOf(keepHeaders);
    removeHeaders = List.copyOf(removeHeaders);
    maskHeaders = List.copyOf(maskHeaders);
    Objects.requireNonNull(setHeaders, "setHeaders");
  }

  /** Changes that keep no header as the client sent it. */
  public TargetHeaders(List<String> removeHeaders, List<String> maskHeaders, Headers setHeaders) {
    this(List.of(), removeHeaders, maskHeaders, setHeaders);
  }

  /** Returns the changes that change nothing (a target's default). */
  public static TargetHeaders none() {
    return NONE;
  }

  /** Returns true if this changes nothing. */
  public boolean isEmpty() {
    return keepHeaders.isEmpty() && removeHeaders.isEmpty() && maskHeaders.isEmpty()
        && setHeaders.isEmpty();
  }

  /** Names headers only: values set may be credentials and are never printed. */
  @Override
  public String toString() {
    return "TargetHeaders[keep=" + keepHeaders + ", remove=" + removeHeaders + ", mask=" + maskHeaders + ", set="
        + setHeaders.names() + "]";
  }
}
