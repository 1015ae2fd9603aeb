package dev.mirror.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What is mirrored, where to, and how: an immutable value built once by {@link #builder(String)}.
 *
 * @param name a short name used in stats and logs
 * @param enabled false for a policy that takes its requests (see {@link RequestFilter}) and mirrors
 *     none of them, for example {@code /login}
 * @param targets where copies go; at least one unless disabled; names unique
 * @param sampler decides once per request for all targets
 * @param filter which requests the policy takes and lets through
 * @param rewrite changes made to the copies
 * @param maxBodyBytes the largest body mirrored; a request with a larger body is not mirrored (it is
 *     counted, never truncated)
 * @param mode whether the caller waits for the copies
 * @param logResponses whether each copy's status and latency are logged (rate-limited)
 * @param markerHeader the header each copy carries with its request id; a request that already
 *     carries it is never mirrored again
 * @param comparison whether and how the shadows' answers are compared with the primary's
 */
public record MirrorPolicy(
    String name,
    boolean enabled,
    List<MirrorTarget> targets,
    Sampler sampler,
    RequestFilter filter,
    Rewrite rewrite,
    int maxBodyBytes,
    MirrorMode mode,
    boolean logResponses,
    String markerHeader,
    Comparison comparison) {

  /** Default largest mirrored body in bytes: {@value} (64 KiB). */
  public static final int DEFAULT_MAX_BODY_BYTES = 65_536;

  /** Largest accepted {@code maxBodyBytes}: {@value} (64 MiB). */
  public static final int MAX_MAX_BODY_BYTES = 64 * 1024 * 1024;

  /** Default marker header: {@value}. */
  public static final String DEFAULT_MARKER_HEADER = "X-Mirror-Request-Id";

  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException for a bad value
   * @throws IllegalStateException for an enabled policy without targets, or duplicate target names
   */
  public MirrorPolicy {
    Objects.requireNonNull(name, "name");
    targets = List.copyOf(targets);
    Objects.requireNonNull(sampler, "sampler");
    Objects.requireNonNull(filter, "filter");
    Objects.requireNonNull(rewrite, "rewrite");
    Objects.requireNonNull(mode, "mode");
    checkMaxBodyBytes(maxBodyBytes);
    checkMarker(markerHeader);
    Objects.requireNonNull(comparison, "comparison");
    if (enabled && targets.isEmpty()) {
      throw new IllegalStateException("policy " + name + ": has no target, must have at least one"
          + " (or be disabled)");
    }
    Set<String> names = new HashSet<>();
    for (MirrorTarget target : targets) {
      if (!names.add(target.name())) {
        throw new IllegalStateException(
            "policy " + name + ": target name " + target.name() + " is used twice");
      }
    }
    Set<String> deadLetters = new HashSet<>();
    for (MirrorTarget target : targets) {
      if (target.deadLetter().target() != null) {
        deadLetters.add(target.deadLetter().target());
      }
    }
    for (MirrorTarget target : targets) {
      String to = target.deadLetter().target();
      if (to == null) {
        continue;
      }
      if (!names.contains(to)) {
        throw new IllegalStateException("policy " + name + ": target " + target.name()
            + " has dead letter " + to + ", which is not one of its targets " + names);
      }
      if (deadLetters.contains(target.name())) {
        throw new IllegalStateException("policy " + name + ": target " + target.name()
            + " is a dead letter and has one (" + to + "), must not: dead letters do not chain");
      }
    }
    for (String compared : comparison.targets()) {
      if (!names.contains(compared)) {
        throw new IllegalStateException("policy " + name + ": compares target " + compared
            + ", which is not one of its targets " + names);
      }
    }
    if (comparison.baseline() != null && !names.contains(comparison.baseline())) {
      throw new IllegalStateException("policy " + name + ": compare.baseline "
          + comparison.baseline() + " is not one of its targets " + names);
    }
  }

  /** A policy that compares nothing (the form before comparison existed). */
  public MirrorPolicy(String name, boolean enabled, List<MirrorTarget> targets, Sampler sampler,
      RequestFilter filter, Rewrite rewrite, int maxBodyBytes, MirrorMode mode,
      boolean logResponses, String markerHeader) {
    this(name, enabled, targets, sampler, filter, rewrite, maxBodyBytes, mode, logResponses,
        markerHeader, Comparison.none());
  }

  /** Returns this policy switched on or off, everything else kept. */
  public MirrorPolicy withEnabled(boolean on) {
    return new MirrorPolicy(name, on, targets, sampler, filter, rewrite, maxBodyBytes, mode,
        logResponses, markerHeader, comparison);
  }

  /** Returns a builder for a policy of this name. */
  public static Builder builder(String name) {
    return new Builder(Objects.requireNonNull(name, "name"));
  }

  /** Returns a builder for a one-target policy named {@code default}, the common case. */
  public static Builder to(String address) {
    return builder("default").target(MirrorTarget.builder("default", address).build());
  }

  private static void checkMaxBodyBytes(int maxBodyBytes) {
    if (maxBodyBytes < 0 || maxBodyBytes > MAX_MAX_BODY_BYTES) {
      throw InvalidValue.of("max-body-bytes", maxBodyBytes, "in [0, " + MAX_MAX_BODY_BYTES + "]");
    }
  }

  private static void checkMarker(String markerHeader) {
    if (markerHeader == null || !TOKEN.matcher(markerHeader).matches()) {
      throw InvalidValue.of("marker-header", markerHeader, "a header name (an HTTP token)");
    }
  }

  /** Builds a {@link MirrorPolicy}: setters check values, {@link #build()} their combination. */
  public static final class Builder {
    private final String name;
    private boolean enabled = true;
    private final List<MirrorTarget> targets = new ArrayList<>();
    private Sampler sampler = Sampler.always();
    private RequestFilter filter = RequestFilter.all();
    private Rewrite rewrite = Rewrite.defaults();
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private MirrorMode mode = MirrorMode.ASYNCHRONOUS;
    private boolean logResponses;
    private String markerHeader = DEFAULT_MARKER_HEADER;
    private Comparison comparison = Comparison.none();

    private Builder(String name) {
      this.name = name;
    }

    /** Whether the policy mirrors at all (default true). */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /** Adds a target. */
    public Builder target(MirrorTarget target) {
      targets.add(Objects.requireNonNull(target, "target"));
      return this;
    }

    /** The policy's sampler (default {@link Sampler#always()}). */
    public Builder sampler(Sampler sampler) {
      this.sampler = Objects.requireNonNull(sampler, "sampler");
      return this;
    }

    /** Which requests are taken and let through (default all). */
    public Builder filter(RequestFilter filter) {
      this.filter = Objects.requireNonNull(filter, "filter");
      return this;
    }

    /** Changes made to the copies (default {@link Rewrite#defaults()}: credentials masked). */
    public Builder rewrite(Rewrite rewrite) {
      this.rewrite = Objects.requireNonNull(rewrite, "rewrite");
      return this;
    }

    /** Largest mirrored body (default {@value MirrorPolicy#DEFAULT_MAX_BODY_BYTES}). */
    public Builder maxBodyBytes(int maxBodyBytes) {
      checkMaxBodyBytes(maxBodyBytes);
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /** Whether the caller waits for copies (default {@link MirrorMode#ASYNCHRONOUS}). */
    public Builder mode(MirrorMode mode) {
      this.mode = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /** Whether each copy's status and latency are logged (default false). */
    public Builder logResponses(boolean logResponses) {
      this.logResponses = logResponses;
      return this;
    }

    /** The marker header (default {@value MirrorPolicy#DEFAULT_MARKER_HEADER}). */
    public Builder markerHeader(String markerHeader) {
      checkMarker(markerHeader);
      this.markerHeader = markerHeader;
      return this;
    }

    /** Compares the shadows' answers with the primary's (default {@link Comparison#none()}). */
    public Builder comparison(Comparison comparison) {
      this.comparison = Objects.requireNonNull(comparison, "comparison");
      return this;
    }

    /**
     * Returns the policy; the builder stays usable.
     *
     * @throws IllegalStateException if enabled without targets, or target names repeat
     */
    public MirrorPolicy build() {
      return new MirrorPolicy(name, enabled, targets, sampler, filter, rewrite, maxBodyBytes, mode,
          logResponses, markerHeader, comparison);
    }
  }
}
