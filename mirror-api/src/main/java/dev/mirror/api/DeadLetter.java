package dev.mirror.api;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Where a target's copies go when they end failed or dropped for one of the chosen reasons: to
 * another target of the same policy (typically a {@code file://} capture or {@code kafka://}),
 * carrying {@value #REASON_HEADER} and {@value #ATTEMPTS_HEADER}, so they can be replayed later.
 * A target named as a dead letter gets no sampled traffic of its own. {@link #none()} by default.
 *
 * @param target the name of the dead-letter target, or null for none
 * @param on the {@link FailureReason} and {@link DropReason} names that send a copy there
 */
public record DeadLetter(String target, Set<String> on) {

  /** The header a dead letter carries: why its copy ended ({@code CONNECT}, {@code QUEUE_FULL}). */
  public static final String REASON_HEADER = "X-Mirror-Dead-Letter-Reason";

  /** The header a dead letter carries: how many times its copy was sent (0 if never). */
  public static final String ATTEMPTS_HEADER = "X-Mirror-Attempts";

  /** The reasons used when none are chosen. */
  public static final List<String> DEFAULT_ON = List.of("CONNECT", "TIMEOUT", "IO", "TLS",
      "QUEUE_FULL");

  /** The reasons a dead letter may be chosen for: every failure, and the drops after admission. */
  public static final List<String> REASONS = reasons();

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
  private static final DeadLetter NONE = new DeadLetter(null, Set.copyOf(DEFAULT_ON));

  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException naming the component, its value and what is allowed
   */
  public DeadLetter {
    if (target != null && !NAME.matcher(target).matches()) {
      throw InvalidValue.of("dead-letter", "'" + target + "'", "a target name of letters, digits,"
          + " '-' or '_'");
    }
    Objects.requireNonNull(on, "on");
    Set<String> copy = new LinkedHashSet<>();
    for (String reason : on) {
      String upper = Objects.requireNonNull(reason, "reason").toUpperCase(Locale.ROOT);
      if (!REASONS.contains(upper)) {
        throw InvalidValue.of("dead-letter.on", reason, "one of " + String.join(", ", REASONS));
      }
      copy.add(upper);
    }
    on = Collections.unmodifiableSet(copy);
  }

  /** No dead letter: failed and dropped copies are counted only. */
  public static DeadLetter none() {
    return NONE;
  }

  /** Copies ending for a default reason ({@link #DEFAULT_ON}) go to {@code target}. */
  public static DeadLetter to(String target) {
    return new DeadLetter(Objects.requireNonNull(target, "target"), Set.copyOf(DEFAULT_ON));
  }

  /** Returns true if a copy ending for this reason goes to the dead letter. */
  public boolean takes(String reason) {
    return target != null && on.contains(reason);
  }

  private static List<String> reasons() {
    List<String> all = new java.util.ArrayList<>();
    for (FailureReason reason : FailureReason.values()) {
      all.add(reason.name());
    }
    all.add(DropReason.QUEUE_FULL.name());
    all.add(DropReason.CLOSED.name());
    return List.copyOf(all);
  }
}
