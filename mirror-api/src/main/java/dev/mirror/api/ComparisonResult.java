package dev.mirror.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one shadow answered one request compared with the primary: what {@link
 * Comparison.Builder#publish} receives, off the request thread.
 *
 * @param policy the policy's name
 * @param requestId the copy's request id (its marker header)
 * @param endpoint the method and path template, for example {@code GET /orders/{id}}
 * @param target the shadow's target name
 * @param outcome matched, mismatched, ignored, or the shadow's answer missing
 * @param differences what differs (empty unless mismatched)
 * @param primary the primary's answer, as cleaned
 * @param shadow the shadow's answer, as cleaned
 * @param context the comparison's context
 */
public record ComparisonResult(String policy, String requestId, String endpoint, String target,
    Outcome outcome, List<Difference> differences, Observation primary, Observation shadow,
    Map<String, String> context) {

  /** How a comparison ended. */
  public enum Outcome {
    /** The answers agree on everything compared. */
    MATCHED,
    /** They differ; see the differences. */
    MISMATCHED,
    /** An ignore rule took the pair out of the counts. */
    IGNORED,
    /** The shadow did not answer in time (a failure, a drop, or no answer before the timeout). */
    SHADOW_MISSING
  }

  /** Validates and copies. */
  public ComparisonResult {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(outcome, "outcome");
    differences = List.copyOf(differences);
    Objects.requireNonNull(primary, "primary");
    Objects.requireNonNull(shadow, "shadow");
    context = Map.copyOf(context);
  }
}
