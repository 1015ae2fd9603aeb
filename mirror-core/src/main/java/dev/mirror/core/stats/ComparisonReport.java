package dev.mirror.core.stats;

import dev.mirror.api.Difference;
import java.util.List;
import java.util.Map;

/**
 * What comparison found so far, per policy, endpoint and field: counts, rates and a few samples
 * with the policy's redaction applied. Served as JSON ({@code GET /comparisons}) and HTML ({@code
 * GET /comparisons.html}) by the admin endpoint. Reading it changes nothing.
 *
 * @param policies one entry per policy that compares
 * @param turnedAway pairs complete but not compared, because 10,000
 *     already waited for the comparison thread
 */
public record ComparisonReport(List<PolicyReport> policies, long turnedAway) {

  /** Copies. */
  public ComparisonReport {
    policies = List.copyOf(policies);
  }

  /**
   * One policy's comparisons.
   *
   * @param policy the policy's name
   * @param targets the compared targets
   * @param baseline the target running the primary's version, or null
   * @param pending requests waiting for their answers now
   * @param compared pairs compared (one per request and compared target)
   * @param matched pairs that agreed
   * @param mismatched pairs with at least one difference that is not noise
   * @param ignored pairs an ignore rule took out
   * @param shadowMissing pairs whose shadow failed, was dropped or did not answer in time
   * @param primaryMissing requests whose primary answer never came (not compared)
   * @param evicted requests dropped because too many were waiting (not compared)
   * @param bodiesNotCompared pairs whose body was over the limit on one side (the rest was compared)
   * @param endpoints per endpoint and target, most mismatched first
   */
  public record PolicyReport(String policy, List<String> targets, String baseline, long pending,
      long compared, long matched, long mismatched, long ignored, long shadowMissing,
      long primaryMissing, long evicted, long bodiesNotCompared, List<EndpointReport> endpoints) {
    /** Copies. */
    public PolicyReport {
      targets = List.copyOf(targets);
      endpoints = List.copyOf(endpoints);
    }
  }

  /**
   * One endpoint (method and path template) against one target.
   *
   * @param endpoint for example {@code GET /orders/{id}}
   * @param target the compared target
   * @param compared pairs compared
   * @param mismatched pairs with a difference that is not noise
   * @param baselineCompared pairs of primary and baseline compared (for noise)
   * @param primaryMillis the primary's mean answer time
   * @param shadowMillis the target's mean answer time
   * @param fields per field, most often different first
   */
  public record EndpointReport(String endpoint, String target, long compared, long mismatched,
      long baselineCompared, double primaryMillis, double shadowMillis, List<FieldReport> fields) {
    /** Copies. */
    public EndpointReport {
      fields = List.copyOf(fields);
    }
  }

  /**
   * One field of one endpoint.
   *
   * @param field {@code status}, {@code header:<name>}, {@code body} or a JSON pointer with array
   *     indices as {@code *}
   * @param differences pairs in which it differed against the target
   * @param rate differences over pairs compared
   * @param baselineDifferences pairs in which it differed between the two primaries
   * @param baselineRate those over the baseline pairs compared
   * @param noise true if it differs about as often between the primaries: not reported as a
   *     difference (only with a baseline)
   * @param kinds how it differed, counted
   * @param samples a few differences, values redacted by the policy's rules
   */
  public record FieldReport(String field, long differences, double rate, long baselineDifferences,
      double baselineRate, boolean noise, Map<Difference.Kind, Long> kinds, List<Sample> samples) {
    /** Copies. */
    public FieldReport {
      kinds = Map.copyOf(kinds);
      samples = List.copyOf(samples);
    }
  }

  /**
   * One difference as it was seen.
   *
   * @param requestId the request's id (its marker header)
   * @param field the field exactly (array indices kept)
   * @param kind how it differed
   * @param primary the primary's value, redacted, or null
   * @param shadow the shadow's value, redacted, or null
   */
  public record Sample(String requestId, String field, Difference.Kind kind, String primary,
      String shadow) {}
}
