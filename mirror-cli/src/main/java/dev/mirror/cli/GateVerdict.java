package dev.mirror.cli;

import dev.mirror.core.stats.ComparisonReport;
import dev.mirror.core.stats.TargetStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A gate's checks, one per endpoint and field (and one per endpoint without a difference), and
 * one each for latency and errors; the gate passes when none failed.
 *
 * @param checks every check, in report order
 * @param runtimeFailure why the comparison could not be made (a target that answered nothing),
 *     or null
 */
record GateVerdict(List<Check> checks, String runtimeFailure) {

  /** Checks of latency and errors are filed under this name, as a JUnit class name. */
  static final String GATE = "mirror gate";

  /**
   * One check.
   *
   * @param group the endpoint ({@code GET /api/orders/{id}}), or {@link #GATE}
   * @param name the field ({@code /total}, {@code status}, {@code header:content-type}), or what
   *     is checked
   * @param failed true if a threshold was crossed
   * @param message one line: the rate, the baseline's, the threshold
   * @param details samples, or empty
   */
  record Check(String group, String name, boolean failed, String message, String details) {}

  /** True if every check passed and the comparison could be made. */
  boolean passed() {
    return runtimeFailure == null && checks.stream().noneMatch(Check::failed);
  }

  /** The checks that failed. */
  List<Check> failures() {
    return checks.stream().filter(Check::failed).collect(Collectors.toList());
  }

  /** Judges a gate's result by its thresholds. */
  static GateVerdict of(GateResult result, GateThresholds limits) {
    List<Check> checks = new ArrayList<>();
    ComparisonReport.PolicyReport policy = result.policy();
    if (policy != null) {
      for (ComparisonReport.EndpointReport endpoint : policy.endpoints()) {
        if (endpoint.fields().isEmpty()) {
          checks.add(new Check(endpoint.endpoint(), "(every field)", false, String.format(
              Locale.ROOT, "no difference in %,d answers", endpoint.compared()), ""));
        }
        for (ComparisonReport.FieldReport field : endpoint.fields()) {
          boolean failed = !field.noise() && field.rate() > limits.maxDiffRate();
          String message = String.format(Locale.ROOT,
              "differs in %s of %,d answers (%,d)%s%s; --max-diff-rate %s", percent(field.rate()),
              endpoint.compared(), field.differences(), policy.baseline() == null ? ""
                  : ", between the baselines " + percent(field.baselineRate()),
              field.noise() ? ", noise" : "", percent(limits.maxDiffRate()));
          StringBuilder samples = new StringBuilder();
          for (ComparisonReport.Sample sample : field.samples()) {
            samples.append(sample.field()).append(' ').append(sample.kind()).append(": ")
                .append(sample.primary()).append(" -> ").append(sample.shadow())
                .append(" (request ").append(sample.requestId()).append(")\n");
          }
          checks.add(new Check(endpoint.endpoint(), field.field(), failed, message,
              samples.toString()));
        }
      }
    }
    if (limits.maxP50Ratio() > 0) {
      checks.add(latency("p50", 0.5, limits.maxP50Ratio(), result));
    }
    if (limits.maxP99Ratio() > 0) {
      checks.add(latency("p99", 0.99, limits.maxP99Ratio(), result));
    }
    long errors = result.candidateErrors();
    checks.add(new Check(GATE, "errors", errors > limits.maxErrors(), String.format(Locale.ROOT,
        "the candidate failed or dropped %,d copies (%s), --max-errors %,d", errors,
        failedByReason(result.candidate()),
        limits.maxErrors()), ""));
    return new GateVerdict(checks, runtimeFailure(result));
  }

  private static Check latency(String name, double quantile, double limit, GateResult result) {
    double candidate = result.candidate().latency().quantileMillis(quantile);
    double baseline = result.baseline().latency().quantileMillis(quantile);
    double ratio = baseline > 0 ? candidate / baseline : candidate > 0 ? Double.POSITIVE_INFINITY
        : 1;
    return new Check(GATE, "latency " + name, ratio > limit, String.format(Locale.ROOT,
        "candidate %.2f ms, baseline %.2f ms: ratio %.2f, --max-latency-ratio %s %.2f",
        candidate, baseline, ratio, name, limit), "");
  }

  /** A target that answered nothing makes the comparison meaningless: that is not a verdict. */
  private static String runtimeFailure(GateResult result) {
    long sentRecords = result.records() - result.skipped();
    if (sentRecords <= 0) {
      return result.records() == 0 ? "the capture holds no record"
          : "the filters left out every record";
    }
    if (result.baseline().sent() == 0) {
      return "the baseline answered none of " + sentRecords + " requests ("
          + failedByReason(result.baseline()) + ")";
    }
    if (result.candidate().sent() == 0) {
      return "the candidate answered none of " + sentRecords + " requests ("
          + failedByReason(result.candidate()) + ")";
    }
    if (result.baseline2() != null && result.baseline2().sent() == 0) {
      return "the second baseline answered none of " + sentRecords + " requests ("
          + failedByReason(result.baseline2()) + ")";
    }
    return null;
  }

  /** A target's failures by reason, those that happened: {@code CONNECT 12, TIMEOUT 3}. */
  static String failedByReason(TargetStats target) {
    String failed = target.failed().entrySet().stream().filter(e -> e.getValue() > 0)
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    return failed.isEmpty() ? "no failure" : failed;
  }

  static String percent(double rate) {
    return String.format(Locale.ROOT, "%.2f %%", 100 * rate);
  }
}
