package dev.mirror.core.internal.compare;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import dev.mirror.api.Comparison;
import dev.mirror.api.ComparisonResult;
import dev.mirror.api.Difference;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Observation;
import dev.mirror.api.Rewrite;
import dev.mirror.core.internal.RateLimitedLog;
import dev.mirror.core.internal.scrub.PointerGlob;
import dev.mirror.core.internal.scrub.Scrubber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A policy's comparisons: pairs the primary's answer with its shadows' by request id, in a
 * Caffeine cache bounded in entries ({@code compare.max-pending}) and in time ({@code
 * compare.timeout}), and compares each pair on the comparison thread once all its answers are in,
 * or when it expires (a shadow that never answered is then reported missing). An eviction under
 * pressure is counted, never a leak. Nothing here runs on a request thread but the hand-over of
 * an answer (a cache lookup).
 */
public final class Comparisons {

  private static final Logger LOG = LoggerFactory.getLogger("dev.mirror.core.MirrorEngine");
  private static final Pattern ID_SEGMENT = Pattern.compile(
      "\\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
          + "|[0-9a-fA-F]{16,}");

  public final Comparison spec;
  public final ComparisonLedger ledger;
  private final String policy;
  private final AnswerDiff diff;
  private final Rewrite rewrite;
  private final Scrubber scrubber;
  private final List<PointerGlob> redactedFields;
  private final boolean logMismatches;
  private final RateLimitedLog log;
  private final CompareWorker worker;
  private final Cache<String, Pending> pending;

  /** What a comparison needs of a target its policy sends to (the engine's channel). */
  public interface Shadowed {
    /** The target's name. */
    String targetName();

    /** How many bytes of the target's answers are kept: 0 when it is not compared. */
    int keepAnswerBytes();
  }

  /** The answers of one request, as they come in. */
  static final class Pending {
    final String endpoint;
    final String[] targets;
    private final Observation[] shadows;
    private Observation primary;
    private int missing;

    Pending(String endpoint, String[] targets) {
      this.endpoint = endpoint;
      this.targets = targets;
      this.shadows = new Observation[targets.length];
      this.missing = targets.length + 1;
    }

    /** Returns true when this completes the pair. */
    synchronized boolean shadow(String target, Observation answer) {
      for (int i = 0; i < targets.length; i++) {
        if (targets[i].equals(target) && shadows[i] == null) {
          shadows[i] = answer;
          return --missing == 0;
        }
      }
      return false;
    }

    synchronized boolean primary(Observation answer) {
      if (primary != null) {
        return false;
      }
      primary = answer;
      return --missing == 0;
    }

    synchronized Observation primary() {
      return primary;
    }

    synchronized Observation shadow(String target) {
      for (int i = 0; i < targets.length; i++) {
        if (targets[i].equals(target)) {
          return shadows[i];
        }
      }
      return null;
    }
  }

  public Comparisons(MirrorPolicy policy, Scrubber scrubber, CompareWorker worker,
      Comparisons previous, java.util.function.LongSupplier nanoTime) {
    this.spec = policy.comparison();
    this.policy = policy.name();
    this.ledger = previous != null ? previous.ledger : new ComparisonLedger();
    this.diff = new AnswerDiff(spec);
    this.rewrite = policy.rewrite();
    this.scrubber = scrubber;
    this.redactedFields = PointerGlob.all(rewrite.scrubbing().jsonFields());
    this.logMismatches = policy.logResponses();
    this.log = new RateLimitedLog(Duration.ofSeconds(10), nanoTime);
    this.worker = worker;
    this.pending = Caffeine.newBuilder()
        .maximumSize(spec.maxPending())
        .expireAfterWrite(spec.timeout())
        .executor(worker)
        .scheduler(Scheduler.forScheduledExecutorService(worker.scheduler()))
        .<String, Pending>removalListener((id, pair, cause) -> removed(id, pair, cause))
        .build();
  }

  /**
   * Starts waiting for the answers of a request handed over to these channels; false if none of
   * them is compared (nothing is kept then).
   */
  public boolean open(String id, MirroredRequest request, Shadowed[] channels) {
    int kept = 0;
    boolean candidate = false;
    for (Shadowed channel : channels) {
      if (channel.keepAnswerBytes() > 0) {
        kept++;
        candidate |= spec.targets().contains(channel.targetName());
      }
    }
    if (!candidate) {
      return false;
    }
    String[] names = new String[kept];
    int i = 0;
    for (Shadowed channel : channels) {
      if (channel.keepAnswerBytes() > 0) {
        names[i++] = channel.targetName();
      }
    }
    pending.put(id, new Pending(endpoint(request.method(), request.rawPath()), names));
    return true;
  }

  /** A shadow's answer, or why there is none. */
  public void shadow(String id, String target, Observation answer) {
    Pending pair = pending.getIfPresent(id);
    if (pair != null && pair.shadow(target, answer)) {
      ready(id, pair);
    }
  }

  /** The primary's answer. */
  public void primary(String id, Observation answer) {
    Pending pair = pending.getIfPresent(id);
    if (pair != null && pair.primary(answer)) {
      ready(id, pair);
    }
  }

  public long pendingCount() {
    return pending.estimatedSize();
  }

  private void ready(String id, Pending pair) {
    if (pending.asMap().remove(id, pair)) {
      worker.compare(() -> compare(id, pair));
    }
  }

  private void removed(String id, Pending pair, RemovalCause cause) {
    if (cause == RemovalCause.EXPIRED) {
      compare(id, pair); // what did not answer in time is missing
    } else if (cause == RemovalCause.SIZE) {
      ledger.evicted.increment();
    }
  }

  /** Compares one request's answers: on the comparison thread. */
  private void compare(String id, Pending pair) {
    try {
      Observation primary = pair.primary();
      if (primary == null) {
        ledger.primaryMissing.increment();
        return;
      }
      primary = clean(primary);
      Observation baseline = spec.baseline() == null ? null : pair.shadow(spec.baseline());
      List<Difference> noise = baseline != null && baseline.answered() && primary.answered()
          ? diff.diff(primary, clean(baseline)) : null;
      for (String target : pair.targets) {
        if (!spec.targets().contains(target)) {
          continue;
        }
        ComparisonLedger.Endpoint endpoint = ledger.endpoint(pair.endpoint, target);
        if (noise != null) {
          endpoint.baseline(noise);
        }
        Observation shadow = pair.shadow(target);
        shadow = shadow == null ? Observation.failure(target,
            "no answer within compare.timeout", -1) : clean(shadow);
        compareOne(id, pair.endpoint, target, endpoint, primary, shadow);
      }
    } catch (RuntimeException | Error e) {
      if (log.pass("error") != null) {
        LOG.error("mirror policy {}: comparing the answers of {} failed (the request itself is"
            + " not affected)", policy, id, e);
      }
    }
  }

  private void compareOne(String id, String endpointName, String target,
      ComparisonLedger.Endpoint endpoint, Observation primary, Observation shadow) {
    ComparisonResult.Outcome outcome;
    List<Difference> shown = List.of();
    if (!shadow.answered() || !primary.answered()) {
      ledger.shadowMissing.increment();
      outcome = ComparisonResult.Outcome.SHADOW_MISSING;
    } else if (spec.ignore() != null && spec.ignore().test(primary, shadow)) {
      ledger.ignored.increment();
      outcome = ComparisonResult.Outcome.IGNORED;
    } else {
      ledger.compared.increment();
      if (AnswerDiff.bodyOverLimit(primary, shadow)) {
        ledger.bodiesNotCompared.increment();
      }
      List<Difference> differences = diff.diff(primary, shadow);
      shown = redacted(differences);
      List<Difference> real = endpoint.record(id, differences, shown, primary.durationNanos(),
          shadow.durationNanos(), spec);
      boolean matched = spec.compare() != null ? spec.compare().test(primary, shadow)
          : real.isEmpty();
      if (matched) {
        ledger.matched.increment();
        outcome = ComparisonResult.Outcome.MATCHED;
      } else {
        ledger.mismatched.increment();
        outcome = ComparisonResult.Outcome.MISMATCHED;
        if (logMismatches) {
          logMismatch(id, endpointName, target, real.isEmpty() ? differences : real);
        }
      }
    }
    if (spec.publish() != null) {
      spec.publish().accept(new ComparisonResult(policy, id, endpointName, target, outcome,
          shown, primary, shadow, spec.context()));
    }
  }

  private void logMismatch(String id, String endpoint, String target,
      List<Difference> differences) {
    Long heldBack = log.pass("mismatch");
    if (heldBack == null) {
      return;
    }
    List<String> fields = new ArrayList<>();
    for (Difference difference : differences) {
      fields.add(difference.field() + " " + difference.kind().name().toLowerCase(Locale.ROOT));
    }
    LOG.info("mirror policy {}: {} {} answered differently from the primary on {}: {}{}",
        policy, target, id, endpoint, fields, heldBack > 0 ? "; " + heldBack
            + " more mismatches not logged" : "");
  }

  private Observation clean(Observation observation) {
    UnaryOperator<Observation> clean = spec.clean();
    return clean == null ? observation : clean.apply(observation);
  }

  /** The differences as reports show them: values redacted by the policy's rules. */
  private List<Difference> redacted(List<Difference> differences) {
    if (differences.isEmpty()) {
      return differences;
    }
    List<Difference> out = new ArrayList<>(differences.size());
    for (Difference d : differences) {
      boolean mask = masked(d.field());
      out.add(new Difference(d.field(), d.kind(), shown(d.primary(), mask),
          shown(d.shadow(), mask)));
    }
    return out;
  }

  private boolean masked(String field) {
    if (field.startsWith("header:")) {
      String name = field.substring("header:".length());
      return contains(rewrite.maskHeaders(), name) || contains(rewrite.removeHeaders(), name)
          || (rewrite.redactCredentials() && contains(Rewrite.CREDENTIAL_HEADERS, name));
    }
    if (field.startsWith("/") && !redactedFields.isEmpty()) {
      List<String> steps = PointerGlob.steps(field.equals("/") ? "" : field);
      for (PointerGlob glob : redactedFields) {
        if (glob.matchesOrContains(steps)) {
          return true;
        }
      }
    }
    return false;
  }

  private String shown(String value, boolean mask) {
    if (value == null) {
      return null;
    }
    if (mask) {
      return rewrite.maskValue();
    }
    return scrubber == null ? value : scrubber.headerValue(value, new int[1]);
  }

  private static boolean contains(List<String> names, String name) {
    for (String candidate : names) {
      if (candidate.equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }

  /** The method and path template: ids (numbers, UUIDs, long hex) become {@code {id}}. */
  static String endpoint(String method, String rawPath) {
    StringBuilder template = new StringBuilder(method).append(' ');
    String[] segments = rawPath.split("/", -1);
    for (int i = 1; i < segments.length; i++) {
      template.append('/').append(ID_SEGMENT.matcher(segments[i]).matches() ? "{id}"
          : segments[i]);
    }
    if (segments.length <= 1) {
      template.append('/');
    }
    return template.toString();
  }

  public void close() {
    pending.invalidateAll();
  }
}
