package dev.mirror.core.internal.compare;

import dev.mirror.api.Comparison;
import dev.mirror.api.Difference;
import dev.mirror.core.stats.ComparisonReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;

/**
 * A policy's comparison counts, per endpoint and target and per field, kept across configuration
 * changes. Written by the comparison thread only, read by anyone ({@link #snapshot}). Bounded: at
 * most {@link #MAX_ENDPOINTS} endpoints, {@link #MAX_FIELDS} fields each and {@link #MAX_SAMPLES}
 * samples a field; beyond, new ones are counted under {@code (other)}.
 */
public final class ComparisonLedger {

  static final int MAX_ENDPOINTS = 500;
  static final int MAX_FIELDS = 100;
  static final int MAX_SAMPLES = 3;
  static final String OTHER = "(other)";

  private static final Pattern INDEX = Pattern.compile("/\\d+(?=/|$)");

  final LongAdder compared = new LongAdder();
  final LongAdder matched = new LongAdder();
  final LongAdder mismatched = new LongAdder();
  final LongAdder ignored = new LongAdder();
  final LongAdder shadowMissing = new LongAdder();
  final LongAdder primaryMissing = new LongAdder();
  final LongAdder evicted = new LongAdder();
  final LongAdder bodiesNotCompared = new LongAdder();
  private final Map<String, Endpoint> endpoints = new ConcurrentHashMap<>();

  /** A field's name in the report: JSON array indices folded into {@code *}. */
  static String fieldKey(String field) {
    return field.startsWith("/") ? INDEX.matcher(field).replaceAll("/*") : field;
  }

  Endpoint endpoint(String endpoint, String target) {
    String key = endpoint + " -> " + target;
    Endpoint found = endpoints.get(key);
    if (found != null) {
      return found;
    }
    if (endpoints.size() >= MAX_ENDPOINTS) {
      return endpoints.computeIfAbsent(OTHER + " -> " + target, k -> new Endpoint(OTHER, target));
    }
    return endpoints.computeIfAbsent(key, k -> new Endpoint(endpoint, target));
  }

  /** One endpoint against one target. */
  static final class Endpoint {
    final String endpoint;
    final String target;
    private long compared;
    private long mismatched;
    private long baselineCompared;
    private long primaryNanos;
    private long shadowNanos;
    private long timed;
    private final Map<String, Field> fields = new LinkedHashMap<>();

    Endpoint(String endpoint, String target) {
      this.endpoint = endpoint;
      this.target = target;
    }

    private Field field(String name) {
      Field field = fields.get(name);
      if (field == null) {
        field = fields.computeIfAbsent(fields.size() >= MAX_FIELDS ? OTHER : name, k -> new Field());
      }
      return field;
    }

    /** The primary against the baseline: what differs there is noise. */
    synchronized void baseline(List<Difference> differences) {
      baselineCompared++;
      for (String key : distinctKeys(differences)) {
        field(key).baselineDifferences++;
      }
    }

    /**
     * The primary against this target: counts each field once per pair, keeps a few samples
     * (values already redacted). Returns the differences that are not noise.
     */
    synchronized List<Difference> record(String requestId, List<Difference> differences,
        List<Difference> redacted, long primaryNanos, long shadowNanos, Comparison spec) {
      compared++;
      if (primaryNanos >= 0 && shadowNanos >= 0) {
        this.primaryNanos += primaryNanos;
        this.shadowNanos += shadowNanos;
        timed++;
      }
      for (String key : distinctKeys(differences)) {
        field(key).differences++;
      }
      List<Difference> real = new ArrayList<>();
      for (int i = 0; i < differences.size(); i++) {
        Difference difference = differences.get(i);
        Field field = field(fieldKey(difference.field()));
        field.kinds.merge(difference.kind(), 1L, Long::sum);
        if (field.samples.size() < MAX_SAMPLES) {
          Difference shown = redacted.get(i);
          field.samples.add(new ComparisonReport.Sample(requestId, shown.field(), shown.kind(),
              shown.primary(), shown.shadow()));
        }
        if (!noise(field, spec)) {
          real.add(difference);
        }
      }
      if (!real.isEmpty()) {
        mismatched++;
      }
      return real;
    }

    /**
     * Diffy's rule: with a baseline, a field is noise unless it differs against the target
     * clearly more often than between the primaries, by both thresholds.
     */
    private boolean noise(Field field, Comparison spec) {
      if (spec.baseline() == null || baselineCompared == 0 || compared == 0) {
        return false;
      }
      double rate = field.differences / (double) compared;
      double baseRate = field.baselineDifferences / (double) baselineCompared;
      return !(rate - baseRate > spec.absoluteThreshold()
          && rate > baseRate * (1 + spec.relativeThreshold()));
    }

    public synchronized ComparisonReport.EndpointReport snapshot(Comparison spec) {
      List<ComparisonReport.FieldReport> out = new ArrayList<>();
      fields.forEach((name, field) -> {
        Map<Difference.Kind, Long> kinds = new EnumMap<>(Difference.Kind.class);
        kinds.putAll(field.kinds);
        out.add(new ComparisonReport.FieldReport(name, field.differences,
            compared == 0 ? 0 : field.differences / (double) compared, field.baselineDifferences,
            baselineCompared == 0 ? 0 : field.baselineDifferences / (double) baselineCompared,
            noise(field, spec), kinds, field.samples));
      });
      out.sort(Comparator.comparing(ComparisonReport.FieldReport::noise)
          .thenComparing(Comparator.comparingLong(ComparisonReport.FieldReport::differences)
              .reversed()));
      return new ComparisonReport.EndpointReport(endpoint, target, compared, mismatched,
          baselineCompared, timed == 0 ? 0 : primaryNanos / 1e6 / timed,
          timed == 0 ? 0 : shadowNanos / 1e6 / timed, out);
    }
  }

  private static List<String> distinctKeys(List<Difference> differences) {
    List<String> keys = new ArrayList<>();
    for (Difference difference : differences) {
      String key = fieldKey(difference.field());
      if (!keys.contains(key)) {
        keys.add(key);
      }
    }
    return keys;
  }

  private static final class Field {
    long differences;
    long baselineDifferences;
    final Map<Difference.Kind, Long> kinds = new EnumMap<>(Difference.Kind.class);
    final List<ComparisonReport.Sample> samples = new ArrayList<>();
  }

  public ComparisonReport.PolicyReport snapshot(String policy, Comparison spec, long pending) {
    List<ComparisonReport.EndpointReport> out = new ArrayList<>();
    for (Endpoint endpoint : endpoints.values()) {
      out.add(endpoint.snapshot(spec));
    }
    out.sort(Comparator.comparingLong(ComparisonReport.EndpointReport::mismatched).reversed()
        .thenComparing(ComparisonReport.EndpointReport::endpoint));
    return new ComparisonReport.PolicyReport(policy, List.copyOf(new java.util.TreeSet<>(spec.targets())),
        spec.baseline(), pending, compared.sum(), matched.sum(), mismatched.sum(), ignored.sum(),
        shadowMissing.sum(), primaryMissing.sum(), evicted.sum(), bodiesNotCompared.sum(), out);
  }
}
