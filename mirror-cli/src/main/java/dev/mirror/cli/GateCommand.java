package dev.mirror.cli;

import dev.mirror.admin.ComparisonPage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code mirror gate}: replays a capture to a candidate and the baseline (and a second baseline
 * instance, for the noise), compares their answers with the library's comparison, and fails when
 * a threshold is crossed; writes JUnit XML, the admin endpoint's HTML page and a JSON summary.
 */
@Command(name = "gate", mixinStandardHelpOptions = true,
    description = {"Fails when a candidate answers a capture unlike the baseline.", "",
        "Replays a capture to --candidate and --baseline (and --baseline2), compares"
        + " every answer of the candidate with the baseline's as the library compares a shadow"
        + " with the primary (status, compared headers, JSON field by field, other bodies whole),"
        + " and fails when a threshold is crossed.",
        "With --baseline2 (a second instance of the baseline version), a field the two baselines"
            + " disagree on about as often as the candidate does is noise (timestamps, ids) and"
            + " never fails the gate (Diffy's noise cancelling; thresholds:"
            + " --set mirror.compare.relative-threshold, absolute-threshold). Ignore fields with"
            + " --set mirror.compare.ignore-paths=/meta/**, compare more headers with"
            + " --set mirror.compare.headers=content-type,cache-control.",
        "The capture is streamed, at most " + GateReplay.WINDOW + " requests are in flight, and"
            + " the comparison's state is capped (500 endpoints, 100 fields each); a target that"
            + " fails is counted (--max-errors), never waited for beyond its timeouts."})
final class GateCommand implements Callable<Integer> {

  @Option(names = "--from", required = true, paramLabel = "<dir|file>",
      description = "a capture file or a directory of them (mirror-capture's NDJSON)")
  private Path from;

  @Option(names = "--candidate", required = true, paramLabel = "<url>",
      description = "the version under test: http(s)://host[:port]")
  private String candidate;

  @Option(names = "--baseline", required = true, paramLabel = "<url>",
      description = "the version in production; its answers are the reference")
  private String baseline;

  @Option(names = "--baseline2", paramLabel = "<url>",
      description = "a second instance of the baseline version, to learn the noise")
  private String baseline2;

  @Option(names = "--max-diff-rate", paramLabel = "<rate>", defaultValue = "0",
      description = "the highest share (0 to 1) of an endpoint's answers in which a field that"
          + " is not noise may differ (default ${DEFAULT-VALUE}: any difference fails)")
  private double maxDiffRate;

  @Option(names = "--max-latency-ratio", paramLabel = "<p50:p99>",
      description = "the candidate's latency over the baseline's at most, at the median and"
          + " the 99th percentile (1.2:1.5), or one ratio for both; default no check")
  private String maxLatencyRatio;

  @Option(names = "--max-errors", paramLabel = "<n>", defaultValue = "0",
      description = "candidate requests that may fail or be dropped (default ${DEFAULT-VALUE})")
  private long maxErrors;

  @Option(names = "--rate", paramLabel = "<per second>",
      description = "the most records sent per second (default as fast as the targets take)")
  private Double rate;

  @Option(names = "--methods", split = ",", paramLabel = "GET,POST",
      description = "methods replayed (default all; GET,HEAD for targets with side effects)")
  private List<String> methods = List.of();

  @Option(names = "--paths", split = ",", paramLabel = "/api/**",
      description = "path globs replayed (default all)")
  private List<String> paths = List.of();

  @Option(names = "--host", paramLabel = "<host[:port]>",
      description = "the Host header copies carry (default the recorded one)")
  private String host;

  @Option(names = "--junit", paramLabel = "<file.xml>",
      description = "writes a JUnit XML report: a test case per endpoint and field")
  private Path junit;

  @Option(names = "--html", paramLabel = "<file.html>",
      description = "writes the comparison page the admin endpoint serves")
  private Path html;

  @Option(names = "--json", paramLabel = "<file.json>",
      description = "writes a JSON summary: verdict, counts, latency, failures, the report")
  private Path json;

  @Option(names = "--no-progress", description = "no progress on stderr")
  private boolean noProgress;

  @Mixin
  private EngineKeys engineKeys;

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    double[] latency = maxLatencyRatio == null ? new double[] {0, 0}
        : GateThresholds.latencyRatios(maxLatencyRatio);
    GateThresholds limits = new GateThresholds(maxDiffRate, latency[0], latency[1], maxErrors);
    if (rate != null && !(rate > 0 && rate <= 1_000_000)) {
      throw new IllegalArgumentException("--rate: was " + rate + ", must be in (0, 1000000]");
    }
    GateSettings settings = new GateSettings(from, candidate, baseline, baseline2,
        rate == null ? 0 : rate, methods.stream().map(m -> m.toUpperCase(Locale.ROOT)).toList(),
        paths, host, engineKeys.keys());
    GateResult result = new GateReplay(settings).run(noProgress ? null
        : ProgressLine.onStderr());
    GateVerdict verdict = GateVerdict.of(result, limits);
    int status = verdict.runtimeFailure() != null ? ExitStatus.RUNTIME_FAILURE
        : verdict.passed() ? ExitStatus.OK : ExitStatus.THRESHOLD_CROSSED;
    print(spec.commandLine().getOut(), verdict, result);
    if (junit != null) {
      JunitReport.write(junit, verdict, result);
    }
    if (html != null) {
      Files.writeString(html, ComparisonPage.render(result.comparisons()),
          StandardCharsets.UTF_8);
    }
    if (json != null) {
      JsonSummary.write(json, JsonSummary.of(verdict, result, limits, status));
    }
    return status;
  }

  private static void print(PrintWriter out, GateVerdict verdict, GateResult result) {
    var policy = result.policy();
    out.printf(Locale.ROOT, "Gate: %,d records in %.1f s, %,d compared, %,d mismatched, %,d"
        + " without the candidate's or baseline's answer, %,d skipped by filters, %,d not"
        + " sent%n", result.records(), result.duration().toMillis() / 1000.0,
        policy == null ? 0 : policy.compared(), policy == null ? 0 : policy.mismatched(),
        policy == null ? 0 : policy.shadowMissing() + policy.primaryMissing(), result.skipped(),
        result.notSent());
    out.printf(Locale.ROOT, "  latency p50/p99: candidate %.2f/%.2f ms, baseline %.2f/%.2f ms%n",
        result.candidate().latency().quantileMillis(0.5),
        result.candidate().latency().quantileMillis(0.99),
        result.baseline().latency().quantileMillis(0.5),
        result.baseline().latency().quantileMillis(0.99));
    if (verdict.runtimeFailure() != null) {
      out.println("FAILED to compare: " + verdict.runtimeFailure());
      return;
    }
    List<GateVerdict.Check> failures = verdict.failures();
    for (GateVerdict.Check check : failures) {
      out.println("  FAIL " + check.group() + " " + check.name() + ": " + check.message());
    }
    out.println(failures.isEmpty() ? "PASSED: " + verdict.checks().size() + " checks"
        : "FAILED: " + failures.size() + " of " + verdict.checks().size() + " checks");
  }
}
