package dev.mirror.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiPredicate;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Whether, and how, a policy compares its shadows' answers with the primary's, as Diffy and
 * GitHub Scientist do: an immutable spec from {@link #builder()}, validated once.
 *
 * <p>For each compared request the entry point keeps the primary's answer (status, headers, body
 * up to {@link #maxBodyBytes()}), the transport keeps each compared shadow's, and the engine pairs
 * them by request id and compares them off the request thread: the status, the chosen headers, and
 * the body (for JSON, field by field; otherwise as text or bytes). With a {@link #baseline()} (a
 * target running the primary's own version), a field counts as a difference only when it differs
 * against the candidate clearly more often than between the two primaries (Diffy's noise
 * cancelling, by {@link #relativeThreshold()} and {@link #absoluteThreshold()}).
 *
 * <p>The hooks, in Scientist's vocabulary: {@code compare} decides whether two answers match
 * (default: no difference found), {@code ignore} takes a pair out of the counts, {@code clean}
 * shapes what is kept for reports, {@code context} is attached to every result, {@code publish}
 * receives every result. Hooks run on the comparison thread and must not block.
 *
 * @param targets the targets compared (candidates); empty: comparison is off
 * @param baseline the target that runs the primary's version, for noise cancelling; null for none
 * @param maxBodyBytes the largest body kept and compared, on either side; longer bodies are
 *     reported as not compared, never compared cut off
 * @param headers the response headers compared, by name; {@code *} for all but the ignored
 * @param ignoreHeaders headers never compared
 * @param ignorePaths JSON-pointer globs never compared: {@code *} matches one step, {@code **}
 *     any number, for example {@code /items/*}{@code /updatedAt}
 * @param relativeThreshold with a baseline: how much more often (as a fraction, 0.2 for 20 %) a
 *     field must differ against the candidate than between the primaries to be reported
 * @param absoluteThreshold with a baseline: by how much (a fraction of requests, 0.0003 for
 *     0.03 %) the candidate's difference rate must exceed the primaries'
 * @param maxPending the most requests waiting for their answers; more evicts the oldest (counted)
 * @param timeout how long a request waits for its answers; then a missing shadow is reported
 * @param compare decides whether two answers match, or null for "no difference found"
 * @param ignore takes a pair out of the counts when true, or null
 * @param clean shapes an observation before it is kept in reports and results, or null
 * @param context attached to every result
 * @param publish receives every result, or null
 */
public record Comparison(
    Set<String> targets,
    String baseline,
    int maxBodyBytes,
    List<String> headers,
    List<String> ignoreHeaders,
    List<String> ignorePaths,
    double relativeThreshold,
    double absoluteThreshold,
    int maxPending,
    Duration timeout,
    BiPredicate<Observation, Observation> compare,
    BiPredicate<Observation, Observation> ignore,
    UnaryOperator<Observation> clean,
    Map<String, String> context,
    Consumer<ComparisonResult> publish) {

  /** Default largest body compared: {@value} bytes (64 KiB). */
  public static final int DEFAULT_MAX_BODY_BYTES = 65_536;

  /** Default headers compared. */
  public static final List<String> DEFAULT_HEADERS = List.of("content-type");

  /** Default headers never compared: they differ between any two servers. */
  public static final List<String> DEFAULT_IGNORE_HEADERS = List.of("date", "server",
      "content-length", "transfer-encoding", "connection", "keep-alive", "set-cookie", "etag",
      "x-request-id", "traceparent", "tracestate");

  /** Diffy's default relative noise threshold: 20 %. */
  public static final double DEFAULT_RELATIVE_THRESHOLD = 0.20;

  /** Diffy's default absolute noise threshold: 0.03 %. */
  public static final double DEFAULT_ABSOLUTE_THRESHOLD = 0.0003;

  /** Default most requests waiting for their answers: {@value}. */
  public static final int DEFAULT_MAX_PENDING = 10_000;

  /** Default wait for a request's answers: 30 seconds. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private static final Pattern POINTER_GLOB = Pattern.compile("(/[^/]*)+");
  private static final Comparison NONE = builder().build();

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException naming the component, for a bad value
   */
  public Comparison {
    targets = Set.copyOf(new LinkedHashSet<>(targets));
    if (baseline != null && targets.contains(baseline)) {
      throw new IllegalArgumentException("compare.baseline: was " + baseline
          + ", must not also be a compared target (it runs the primary's version)");
    }
    if (maxBodyBytes < 0 || maxBodyBytes > MirrorPolicy.MAX_MAX_BODY_BYTES) {
      throw InvalidValue.of("compare.max-body-bytes", maxBodyBytes,
          "in [0, " + MirrorPolicy.MAX_MAX_BODY_BYTES + "]");
    }
    headers = lower(headers);
    ignoreHeaders = lower(ignoreHeaders);
    ignorePaths = List.copyOf(ignorePaths);
    for (String glob : ignorePaths) {
      if (!POINTER_GLOB.matcher(glob).matches()) {
        throw InvalidValue.of("compare.ignore-paths", glob,
            "a JSON-pointer glob such as /items/*/updatedAt");
      }
    }
    if (!(relativeThreshold >= 0 && relativeThreshold <= 100)) {
      throw InvalidValue.of("compare.relative-threshold", relativeThreshold, "in [0, 100]");
    }
    if (!(absoluteThreshold >= 0 && absoluteThreshold <= 1)) {
      throw InvalidValue.of("compare.absolute-threshold", absoluteThreshold, "in [0, 1]");
    }
    if (maxPending < 1 || maxPending > 10_000_000) {
      throw InvalidValue.of("compare.max-pending", maxPending, "in [1, 10000000]");
    }
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofHours(1)) > 0) {
      throw InvalidValue.of("compare.timeout", timeout, "more than 0 and at most 1h");
    }
    context = Map.copyOf(context);
  }

  private static List<String> lower(List<String> names) {
    List<String> out = new ArrayList<>(names.size());
    for (String name : names) {
      out.add(name.trim().toLowerCase(Locale.ROOT));
    }
    return List.copyOf(out);
  }

  /** No comparison. */
  public static Comparison none() {
    return NONE;
  }

  /** Returns a builder with every setting at its default and no target compared. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns a builder holding this spec. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.targets = new LinkedHashSet<>(targets);
    b.baseline = baseline;
    b.maxBodyBytes = maxBodyBytes;
    b.headers = headers;
    b.ignoreHeaders = ignoreHeaders;
    b.ignorePaths = ignorePaths;
    b.relativeThreshold = relativeThreshold;
    b.absoluteThreshold = absoluteThreshold;
    b.maxPending = maxPending;
    b.timeout = timeout;
    b.compare = compare;
    b.ignore = ignore;
    b.clean = clean;
    b.context = context;
    b.publish = publish;
    return b;
  }

  /** True if any target is compared. */
  public boolean enabled() {
    return !targets.isEmpty();
  }

  /** True if this target's answers are kept: a compared target or the baseline. */
  public boolean keepsAnswersOf(String target) {
    return targets.contains(target) || target.equals(baseline);
  }

  /** True if the header is compared. */
  public boolean comparesHeader(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return !ignoreHeaders.contains(lower) && (headers.contains("*") || headers.contains(lower));
  }

  /** Builds a {@link Comparison}. */
  public static final class Builder {
    private Set<String> targets = new LinkedHashSet<>();
    private String baseline;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private List<String> headers = DEFAULT_HEADERS;
    private List<String> ignoreHeaders = DEFAULT_IGNORE_HEADERS;
    private List<String> ignorePaths = List.of();
    private double relativeThreshold = DEFAULT_RELATIVE_THRESHOLD;
    private double absoluteThreshold = DEFAULT_ABSOLUTE_THRESHOLD;
    private int maxPending = DEFAULT_MAX_PENDING;
    private Duration timeout = DEFAULT_TIMEOUT;
    private BiPredicate<Observation, Observation> compare;
    private BiPredicate<Observation, Observation> ignore;
    private UnaryOperator<Observation> clean;
    private Map<String, String> context = Map.of();
    private Consumer<ComparisonResult> publish;

    private Builder() {}

    /** Compares these targets' answers with the primary's. */
    public Builder targets(String... names) {
      targets = new LinkedHashSet<>(List.of(names));
      return this;
    }

    /** Compares these targets' answers with the primary's. */
    public Builder targets(Set<String> names) {
      targets = new LinkedHashSet<>(names);
      return this;
    }

    /** The target running the primary's own version, for noise cancelling; null for none. */
    public Builder baseline(String target) {
      this.baseline = target;
      return this;
    }

    /** The largest body kept and compared, on either side. */
    public Builder maxBodyBytes(int bytes) {
      this.maxBodyBytes = bytes;
      return this;
    }

    /** The headers compared ({@code *} for all but the ignored). */
    public Builder headers(List<String> names) {
      this.headers = List.copyOf(names);
      return this;
    }

    /** Headers never compared (replaces the defaults). */
    public Builder ignoreHeaders(List<String> names) {
      this.ignoreHeaders = List.copyOf(names);
      return this;
    }

    /** JSON-pointer globs never compared, such as {@code /items/*}{@code /updatedAt}. */
    public Builder ignorePaths(List<String> globs) {
      this.ignorePaths = List.copyOf(globs);
      return this;
    }

    /** Diffy's relative noise threshold, as a fraction (0.2 for 20 %). */
    public Builder relativeThreshold(double fraction) {
      this.relativeThreshold = fraction;
      return this;
    }

    /** Diffy's absolute noise threshold, as a fraction of requests (0.0003 for 0.03 %). */
    public Builder absoluteThreshold(double fraction) {
      this.absoluteThreshold = fraction;
      return this;
    }

    /** The most requests waiting for their answers. */
    public Builder maxPending(int requests) {
      this.maxPending = requests;
      return this;
    }

    /** How long a request waits for its answers. */
    public Builder timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Decides whether two answers match (Scientist's {@code compare}). */
    public Builder compare(BiPredicate<Observation, Observation> compare) {
      this.compare = compare;
      return this;
    }

    /** Takes a pair out of the counts when true (Scientist's {@code ignore}). */
    public Builder ignore(BiPredicate<Observation, Observation> ignore) {
      this.ignore = ignore;
      return this;
    }

    /** Shapes what is kept of each answer for reports (Scientist's {@code clean}). */
    public Builder clean(UnaryOperator<Observation> clean) {
      this.clean = clean;
      return this;
    }

    /** Attached to every result (Scientist's {@code context}). */
    public Builder context(Map<String, String> context) {
      this.context = Map.copyOf(context);
      return this;
    }

    /** Receives every result, on the comparison thread (Scientist's {@code publish}). */
    public Builder publish(Consumer<ComparisonResult> publish) {
      this.publish = publish;
      return this;
    }

    /**
     * Builds.
     *
     * @throws IllegalArgumentException naming the setting, for a bad value
     */
    public Comparison build() {
      return new Comparison(targets, baseline, maxBodyBytes, headers, ignoreHeaders, ignorePaths,
          relativeThreshold, absoluteThreshold, maxPending, timeout, compare, ignore, clean,
          context, publish);
    }
  }
}
