package dev.mirror.core;

import static dev.mirror.core.config.ConfigCatalog.*;

import dev.mirror.api.Comparison;
import dev.mirror.api.HostHeader;
import dev.mirror.api.HttpVersion;
import dev.mirror.api.MirrorMode;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.PathMode;
import dev.mirror.api.PathPattern;
import dev.mirror.api.RequestFilter;
import dev.mirror.api.Rewrite;
import dev.mirror.api.Scrubbing;
import dev.mirror.core.config.ConfigCatalog;
import dev.mirror.core.config.ConfigKey;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Prints a {@link MirrorConfig} as flat keys that parse back to an equal configuration: every
 * value explicit, each at its most specific place.
 */
final class ConfigPrinter {

  private final SortedMap<String, String> out = new TreeMap<>();

  private ConfigPrinter() {}

  static SortedMap<String, String> print(MirrorConfig config, Map<String, String> given) {
    ConfigPrinter printer = new ConfigPrinter();
    String top = MirrorConfig.PREFIX;
    printer.put(top, TRANSPORT, config.transport());
    printer.put(top, DISPATCH_THREADS, config.dispatchThreads());
    printer.put(top, CLOSE_TIMEOUT, ConfigCatalog.print(config.closeTimeout()));
    printer.put(top, POLICIES,
        String.join(",", config.policies().stream().map(MirrorPolicy::name).toList()));
    for (MirrorPolicy policy : config.policies()) {
      printer.policy(policy);
    }
    printer.out.putAll(given);
    return printer.out;
  }

  private void put(String prefix, ConfigKey<?> key, Object value) {
    out.put(prefix + key.suffix(), String.valueOf(value));
  }

  private void putList(String prefix, ConfigKey<?> key, Collection<?> values) {
    if (!values.isEmpty()) {
      out.put(prefix + key.suffix(), String.join(",", values.stream().map(String::valueOf)
          .toList()));
    }
  }

  private void policy(MirrorPolicy policy) {
    String p = "mirror.policy." + policy.name() + ".";
    put(p, ENABLED, policy.enabled());
    putList(p, TARGETS, policy.targets().stream().map(MirrorTarget::name).toList());
    for (MirrorTarget target : policy.targets()) {
      target(p + "target." + target.name() + ".", target);
    }
    RequestFilter filter = policy.filter();
    putList(p, METHODS, new TreeSet<>(filter.methods()));
    putList(p, INCLUDE_PATHS, filter.includePaths().stream().map(PathPattern::toString).toList());
    putList(p, EXCLUDE_PATHS, filter.excludePaths().stream().map(PathPattern::toString).toList());
    filter.requiredHeaders().forEach((name, value) -> out.put(p + MATCH_HEADER.suffix() + name,
        value.text()));
    filter.requiredCookies().forEach((name, value) -> out.put(p + MATCH_COOKIE.suffix() + name,
        value.text()));
    filter.requiredQueryParameters().forEach((name, value) ->
        out.put(p + MATCH_QUERY.suffix() + name, value.text()));
    put(p, MATCH_MODE, filter.matchMode().name().toLowerCase(Locale.ROOT));
    put(p, MAX_BODY_BYTES, policy.maxBodyBytes());
    put(p, SYNCHRONOUS, policy.mode() == MirrorMode.SYNCHRONOUS);
    put(p, LOG_RESPONSES, policy.logResponses());
    put(p, MARKER_HEADER, policy.markerHeader());
    Rewrite rewrite = policy.rewrite();
    if (rewrite.pathOverride() != null) {
      put(p, PATH, rewrite.pathOverride());
    }
    put(p, PATH_CONCAT_MODE, rewrite.pathMode() == PathMode.PREFIX ? "prefix" : "replace");
    putList(p, REMOVE_HEADERS, rewrite.removeHeaders());
    putList(p, MASK_HEADERS, rewrite.maskHeaders());
    put(p, MASK_VALUE, rewrite.maskValue());
    rewrite.setHeaders().forEach((name, value) -> out.put(p + SET_HEADER.suffix() + name, value));
    put(p, REDACT_CREDENTIALS, rewrite.redactCredentials());
    putList(p, REDACT_COOKIES, rewrite.redactCookies());
    putList(p, REDACT_QUERY_PARAMS, rewrite.redactQueryParams());
    put(p, REDACT_MODE, rewrite.redactMode().name().toLowerCase(Locale.ROOT));
    Scrubbing scrubbing = rewrite.scrubbing();
    putList(p, REDACT_JSON_FIELDS, scrubbing.jsonFields());
    putList(p, REDACT_FORM_FIELDS, scrubbing.formFields());
    putList(p, SCRUB_PATTERNS, scrubbing.patterns());
    scrubbing.customPatterns().forEach((name, regex) ->
        out.put(p + SCRUB_PATTERN.suffix() + name, regex));
    put(p, SCRUB_ON_FAILURE, scrubbing.sendUnscrubbable() ? "send" : "drop");
    Comparison comparison = policy.comparison();
    for (MirrorTarget target : policy.targets()) {
      put(p + "target." + target.name() + ".", COMPARE,
          comparison.targets().contains(target.name()));
    }
    if (comparison.baseline() != null) {
      put(p, COMPARE_BASELINE, comparison.baseline());
    }
    put(p, COMPARE_MAX_BODY_BYTES, comparison.maxBodyBytes());
    putList(p, COMPARE_HEADERS, comparison.headers());
    putList(p, COMPARE_IGNORE_HEADERS, comparison.ignoreHeaders());
    putList(p, COMPARE_IGNORE_PATHS, comparison.ignorePaths());
    put(p, COMPARE_RELATIVE_THRESHOLD, percent(comparison.relativeThreshold()));
    put(p, COMPARE_ABSOLUTE_THRESHOLD, percent(comparison.absoluteThreshold()));
    put(p, COMPARE_MAX_PENDING, comparison.maxPending());
    put(p, COMPARE_TIMEOUT, ConfigCatalog.print(comparison.timeout()));
  }

  private void target(String t, MirrorTarget target) {
    put(t, HOST, target.address());
    put(t, CONNECT_TIMEOUT, ConfigCatalog.print(target.connectTimeout()));
    put(t, READ_TIMEOUT, ConfigCatalog.print(target.readTimeout()));
    put(t, MAX_IN_FLIGHT, target.maxInFlight());
    put(t, MAX_IN_FLIGHT_BYTES, target.maxInFlightBytes());
    put(t, RATE_LIMIT, number(target.rateLimit()));
    HostHeader host = target.hostHeader();
    put(t, HOST_HEADER, switch (host.mode()) {
      case ORIGINAL -> "original";
      case TARGET -> "target";
      case LITERAL -> host.value();
    });
    put(t, HTTP_VERSION, switch (target.httpVersion()) {
      case HTTP_1_1 -> "HTTP/1.1";
      case HTTP_2 -> "HTTP/2";
      case H2C -> "h2c";
    });
    put(t, FAILURE_THRESHOLD, target.failureThreshold());
    put(t, COOL_DOWN, ConfigCatalog.print(target.coolDown()));
    put(t, RETRY_ATTEMPTS, target.retry().attempts());
    put(t, RETRY_BACKOFF, ConfigCatalog.print(target.retry().backoff()));
    put(t, RETRY_MAX_PENDING, target.retry().maxPending());
    put(t, RETRY_IDEMPOTENT_TIMEOUTS, target.retry().idempotentTimeouts());
    if (target.deadLetter().target() != null) {
      put(t, DEAD_LETTER, target.deadLetter().target());
      putList(t, DEAD_LETTER_ON, target.deadLetter().on());
    }
    // A value read from a file is printed as set: printing reads no file, parsing it back none.
    putList(t, TARGET_KEEP_HEADERS, target.headers().keepHeaders());
    putList(t, TARGET_REMOVE_HEADERS, target.headers().removeHeaders());
    putList(t, TARGET_MASK_HEADERS, target.headers().maskHeaders());
    target.headers().setHeaders().forEach((name, value) ->
        out.put(t + TARGET_SET_HEADER.suffix() + name, value));
  }

  private static String percent(double fraction) {
    return java.math.BigDecimal.valueOf(fraction).movePointRight(2).stripTrailingZeros()
        .toPlainString();
  }

  private static String number(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15
        ? String.valueOf((long) value) : String.valueOf(value);
  }

}
