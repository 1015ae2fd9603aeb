package dev.mirror.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mirror.core.stats.TargetStats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A gate's outcome as one JSON document: the verdict and exit status, the thresholds, the counts,
 * each target's latency, the failed checks, and the comparison report as the admin endpoint's
 * {@code GET /comparisons} gives it.
 */
final class JsonSummary {

  private JsonSummary() {}

  static Map<String, Object> of(GateVerdict verdict, GateResult result, GateThresholds limits,
      int exitStatus) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("passed", verdict.passed());
    json.put("exitStatus", exitStatus);
    json.put("runtimeFailure", verdict.runtimeFailure());
    json.put("thresholds", limits);
    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("records", result.records());
    counts.put("skipped", result.skipped());
    counts.put("notSent", result.notSent());
    counts.put("seconds", result.duration().toMillis() / 1000.0);
    json.put("counts", counts);
    Map<String, Object> targets = new LinkedHashMap<>();
    targets.put(GateSettings.CANDIDATE, target(result.candidate()));
    targets.put(GateSettings.BASELINE, target(result.baseline()));
    if (result.baseline2() != null) {
      targets.put(GateSettings.BASELINE2, target(result.baseline2()));
    }
    json.put("targets", targets);
    List<GateVerdict.Check> failures = verdict.failures();
    json.put("failures", failures);
    json.put("checks", verdict.checks().size());
    json.put("comparisons", result.comparisons());
    return json;
  }

  private static Map<String, Object> target(TargetStats stats) {
    Map<String, Object> target = new LinkedHashMap<>();
    target.put("sent", stats.sent());
    target.put("failed", stats.failed());
    target.put("dropped", stats.droppedTotal());
    target.put("p50Millis", stats.latency().quantileMillis(0.5));
    target.put("p99Millis", stats.latency().quantileMillis(0.99));
    return target;
  }

  static void write(Path file, Map<String, Object> summary) throws IOException {
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(),
        summary);
  }
}
