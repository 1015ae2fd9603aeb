package dev.mirror.core.config;

import dev.mirror.api.Comparison;
import dev.mirror.api.DeadLetter;
import dev.mirror.api.HostHeader;
import dev.mirror.api.HttpVersion;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransportProvider;
import dev.mirror.api.PathMode;
import dev.mirror.api.PathPattern;
import dev.mirror.api.RequestFilter;
import dev.mirror.api.RetryPolicy;
import dev.mirror.api.Rewrite;
import dev.mirror.api.Sampler;
import dev.mirror.api.ValueMatch;
import dev.mirror.core.config.ConfigKey.Alias;
import dev.mirror.core.config.ConfigKey.Scope;
import dev.mirror.core.internal.TransportProviders;
import dev.mirror.core.internal.marker.LoopMarker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every configuration key, each with its scope, default and rule: the one description behind
 * {@code MirrorConfig.parse(Map)}, its unknown-key message, README's key table and the runtime
 * endpoint. A key may be written in another spelling where a peer uses one (APISIX's
 * {@code sample_ratio} and {@code path_concat_mode}, the seed gateway's {@code percentage} and
 * {@code logResponses}).
 */
public final class ConfigCatalog {

  /** Prefix of every key: {@value}. */
  public static final String PREFIX = "mirror.";

  // Defaults owned by the rooms above this one (the engine, the nio transport), written here so
  // the table depends on none of them; ConfigCatalogDefaultsTest checks that they agree.
  /** {@code MirrorEngine.DEFAULT_DISPATCH_THREADS}. */
  private static final int DEFAULT_DISPATCH_THREADS = 2;
  /** {@code MirrorEngine.DEFAULT_CLOSE_TIMEOUT_MILLIS}. */
  private static final long DEFAULT_CLOSE_TIMEOUT_MILLIS = 5_000;
  /** {@code NioHttpTransport.NAME}. */
  private static final String DEFAULT_TRANSPORT = "nio";
  /** {@code NioHttpTransport.DEFAULT_MAX_CONNECTIONS}. */
  private static final int DEFAULT_MAX_CONNECTIONS = 256;

  private ConfigCatalog() {}

  /** A value that broke a rule narrower than the key's general one; the message is that rule. */
  static class RuleViolation extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    RuleViolation(String rule) {
      super(rule);
    }
  }

  /** A rule a secret's value broke: the error names the rule, never the value. */
  static final class SecretRuleViolation extends RuleViolation {
    private static final long serialVersionUID = 1L;

    SecretRuleViolation(String rule) {
      super(rule);
    }
  }

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");
  static final String DURATION_RULE = "a duration such as 500ms, 2s or 1m";
  private static final String BOOLEAN_RULE = "true or false";
  private static final String LIST_RULE = "a comma-separated list without empty entries";
  private static final String NAMES_RULE =
      "a comma-separated list of distinct names of letters, digits, '-' or '_'";
  private static final String RATIO_RULE = "in [0.00001, 1]";
  private static final String CONTROL_RULE = "a store address <scheme>://host:port/<name> of a"
      + " store on the class path, such as kafka://kafka-1:9092/mirror-control (kafka comes with"
      + " mirror-kafka)";

  private static final List<ConfigKey<?>> ALL = new ArrayList<>();

  // Engine keys.
  public static final ConfigKey<List<String>> POLICIES = key("policies", Scope.ENGINE, null,
      NAMES_RULE, ConfigCatalog::names);
  public static final ConfigKey<Integer> DISPATCH_THREADS = integer("dispatch-threads",
      Scope.ENGINE, DEFAULT_DISPATCH_THREADS, 1, 64);
  public static final ConfigKey<Duration> CLOSE_TIMEOUT = key("close-timeout", Scope.ENGINE,
      DEFAULT_CLOSE_TIMEOUT_MILLIS / 1000 + "s",
      DURATION_RULE + ", at least 0 and at most 1h", v -> duration(v, true));
  public static final ConfigKey<MirrorTransportProvider> TRANSPORT = key("transport", Scope.ENGINE,
      DEFAULT_TRANSPORT, "the name of a transport on the class path",
      ConfigCatalog::transport);
  /**
   * Whether the default transport may pipeline idempotent copies to a fast shadow that keeps
   * connections (never non-idempotent ones, never resends).
   */
  public static final ConfigKey<Boolean> PIPELINING = bool("pipelining", Scope.ENGINE, true);
  /** Most connections the default transport opens to one shadow. */
  public static final ConfigKey<Integer> MAX_CONNECTIONS = integer("max-connections", Scope.ENGINE,
      DEFAULT_MAX_CONNECTIONS, 1, DEFAULT_MAX_CONNECTIONS);
  /** The secret the fleet shares to prove its copies' markers (see {@code LoopMarker}). */
  public static final ConfigKey<String> MARKER_SECRET = key("marker-secret", Scope.ENGINE, null,
      "a secret of at least " + LoopMarker.MIN_SECRET_LENGTH + " characters, the same on every"
          + " instance", v -> {
        if (v.length() < LoopMarker.MIN_SECRET_LENGTH) {
          throw new SecretRuleViolation("a secret of at least " + LoopMarker.MIN_SECRET_LENGTH
              + " characters, the same on every instance");
        }
        return v;
      });
  /** A file whose first line is {@code mirror.marker-secret} (a mounted secret). */
  public static final ConfigKey<String> MARKER_SECRET_FILE = key("marker-secret-file", Scope.ENGINE,
      null, "a file path", v -> {
        if (v.isEmpty()) {
          throw new RuleViolation("a file path");
        }
        return v;
      });
  /**
   * Addresses a runtime change may point targets at besides the start-up configuration's own
   * (see {@code RuntimeLimits}).
   */
  public static final ConfigKey<List<String>> ALLOWED_TARGETS = key("allowed-targets", Scope.ENGINE,
      null, "comma-separated target addresses such as https://shadow-2.internal:8443,"
          + "file:///var/log/mirror", v -> {
        List<String> addresses = list(v);
        for (String address : addresses) {
          try {
            MirrorTarget.builder("allowed", address);
          } catch (IllegalArgumentException e) {
            throw new RuleViolation("comma-separated target addresses such as"
                + " https://shadow-2.internal:8443,file:///var/log/mirror");
          }
        }
        return addresses;
      });
  /**
   * The control store every replica of a fleet watches ({@code kafka://host:port/topic}): changes
   * made through any replica are written there and applied by all, in the store's order.
   */
  public static final ConfigKey<java.net.URI> CONTROL = key("control", Scope.ENGINE, null,
      CONTROL_RULE, ConfigCatalog::controlAddress);
  /** This replica's name in the fleet's reports (default: the host name). */
  public static final ConfigKey<String> CONTROL_REPLICA = key("control.replica", Scope.ENGINE,
      null, "a name of letters, digits, '.', '-' or '_'", v -> {
        if (!v.matches("[A-Za-z0-9._-]{1,128}")) {
          throw new RuleViolation("a name of letters, digits, '.', '-' or '_'");
        }
        return v;
      });
  /**
   * How long a change waits for the store to take it and for this replica to apply it, and how
   * long start-up waits for the store to be read to its end.
   */
  public static final ConfigKey<Duration> CONTROL_TIMEOUT = key("control.timeout", Scope.ENGINE,
      "5s", DURATION_RULE + ", more than 0 and at most 1h", v -> duration(v, false));
  /** A {@code .properties} file watched for changes (a mounted ConfigMap). */
  public static final ConfigKey<String> CONFIG_FILE = key("config-file", Scope.ENGINE, null,
      "a file path", v -> {
        if (v.isEmpty()) {
          throw new RuleViolation("a file path");
        }
        return v;
      });

  // Policy keys.
  public static final ConfigKey<Boolean> ENABLED = bool("enabled", Scope.POLICY, true);
  public static final ConfigKey<List<String>> TARGETS = key("targets", Scope.POLICY, null,
      NAMES_RULE, ConfigCatalog::names);
  public static final ConfigKey<String> PATH = key("path", Scope.POLICY, null, Rewrite.PATH_RULE,
      v -> {
    Rewrite.builder().path(v, PathMode.REPLACE);
    return v;
  });
  public static final ConfigKey<PathMode> PATH_CONCAT_MODE = key("path-concat-mode", Scope.POLICY,
      "replace", "replace or prefix", v -> switch (v) {
        case "replace" -> PathMode.REPLACE;
        case "prefix" -> PathMode.PREFIX;
        default -> throw new RuleViolation("replace or prefix");
      }, new Alias("path_concat_mode", "replace or prefix", v -> v));
  public static final ConfigKey<String> STICKY_KEY = key("sticky-key", Scope.POLICY, null,
      "header:<name> or cookie:<name>, for example header:X-User-Id", ConfigCatalog::sticky);
  /** What {@code mirror.methods=safe} stands for: the methods that must not change anything. */
  static final List<String> SAFE_METHODS = List.of("GET", "HEAD", "OPTIONS");
  public static final ConfigKey<List<String>> METHODS = key("methods", Scope.POLICY, null,
      "a comma-separated list of methods such as GET,HEAD, or safe (GET,HEAD,OPTIONS)", v -> {
        if (v.equalsIgnoreCase("safe")) {
          return SAFE_METHODS; // for shadows that must never see a write
        }
        List<String> methods = list(v);
        for (String method : methods) {
          if (!NAME.matcher(method).matches()) {
            throw new RuleViolation("a comma-separated list of methods such as GET,HEAD, or"
                + " safe (GET,HEAD,OPTIONS)");
          }
        }
        return methods;
      });
  public static final ConfigKey<List<String>> INCLUDE_PATHS = paths("include-paths");
  public static final ConfigKey<List<String>> EXCLUDE_PATHS = paths("exclude-paths");
  public static final ConfigKey<String> MATCH_HEADER = match("match-header.", "a header value");
  public static final ConfigKey<String> MATCH_COOKIE = match("match-cookie.", "a cookie value");
  public static final ConfigKey<String> MATCH_QUERY = match("match-query.",
      "a query parameter's value");
  public static final ConfigKey<RequestFilter.MatchMode> MATCH_MODE = key("match-mode",
      Scope.POLICY, "all", "all or any", v -> switch (v) {
        case "all" -> RequestFilter.MatchMode.ALL;
        case "any" -> RequestFilter.MatchMode.ANY;
        default -> throw new RuleViolation("all or any");
      });
  public static final ConfigKey<Integer> MAX_BODY_BYTES = integer("max-body-bytes", Scope.POLICY,
      MirrorPolicy.DEFAULT_MAX_BODY_BYTES, 0, MirrorPolicy.MAX_MAX_BODY_BYTES);
  public static final ConfigKey<Boolean> SYNCHRONOUS = bool("synchronous", Scope.POLICY, false);
  public static final ConfigKey<Boolean> LOG_RESPONSES = key("log-responses", Scope.POLICY, "false",
      BOOLEAN_RULE, ConfigCatalog::bool, new Alias("logResponses", BOOLEAN_RULE, v -> v));
  public static final ConfigKey<String> MARKER_HEADER = key("marker-header", Scope.POLICY,
      MirrorPolicy.DEFAULT_MARKER_HEADER, "a header name (an HTTP token)", v -> {
        MirrorPolicy.builder("check").markerHeader(v);
        return v;
      });
  public static final ConfigKey<List<String>> REMOVE_HEADERS = listKey("remove-headers");
  public static final ConfigKey<List<String>> MASK_HEADERS = listKey("mask-headers");
  public static final ConfigKey<String> MASK_VALUE = key("mask-value", Scope.POLICY,
      Rewrite.DEFAULT_MASK_VALUE, "any text", v -> v);
  public static final ConfigKey<String> SET_HEADER = family("set-header.", "a header value");
  public static final ConfigKey<Boolean> REDACT_CREDENTIALS = bool("redact-credentials",
      Scope.POLICY, true);
  public static final ConfigKey<List<String>> REDACT_COOKIES = listKey("redact-cookies");
  public static final ConfigKey<List<String>> REDACT_QUERY_PARAMS = listKey("redact-query-params");
  public static final ConfigKey<Rewrite.RedactMode> REDACT_MODE = key("redact-mode", Scope.POLICY,
      "mask", "mask or remove", v -> switch (v) {
        case "mask" -> Rewrite.RedactMode.MASK;
        case "remove" -> Rewrite.RedactMode.REMOVE;
        default -> throw new RuleViolation("mask or remove");
      });
  public static final ConfigKey<Boolean> REQUIRE_HTTPS = bool("require-https", Scope.POLICY, false);
  public static final ConfigKey<List<String>> REDACT_JSON_FIELDS = key("redact-json-fields",
      Scope.POLICY, null, "comma-separated JSON-pointer globs such as /password,/items/*/card",
      v -> {
        List<String> globs = list(v);
        for (String glob : globs) {
          if (!glob.startsWith("/") || glob.length() < 2) {
            throw new RuleViolation(
                "comma-separated JSON-pointer globs such as /password,/items/*/card");
          }
        }
        return globs;
      });
  public static final ConfigKey<List<String>> REDACT_FORM_FIELDS = listKey("redact-form-fields");
  public static final ConfigKey<List<String>> SCRUB_PATTERNS = key("scrub-patterns", Scope.POLICY,
      null, "detectors (email, jwt, bearer, card, iban) or names of scrub-pattern.<name> keys",
      ConfigCatalog::list);
  /** The rule of a user's regular expression: RE2 syntax, matched in linear time. */
  static final String REGEX_RULE = "a regular expression in RE2 syntax (linear time: no"
      + " back-references, no look-around)";
  public static final ConfigKey<String> SCRUB_PATTERN = family("scrub-pattern.", REGEX_RULE, v -> {
    try {
      com.google.re2j.Pattern.compile(v);
    } catch (com.google.re2j.PatternSyntaxException e) {
      throw new RuleViolation(REGEX_RULE.substring(0, REGEX_RULE.length() - 1) + ": "
          + e.getDescription() + ")");
    }
    return v;
  });
  public static final ConfigKey<Boolean> SCRUB_ON_FAILURE = key("scrub-on-failure", Scope.POLICY,
      "drop", "drop or send", v -> switch (v) {
        case "drop" -> false;
        case "send" -> true;
        default -> throw new RuleViolation("drop or send");
      });

  // Target keys.
  public static final ConfigKey<String> HOST = key("host", Scope.TARGET, null,
      MirrorTarget.ADDRESS_RULE, v -> {
        MirrorTarget check;
        try {
          check = MirrorTarget.builder("check", v).build();
        } catch (IllegalArgumentException e) {
          throw new RuleViolation(MirrorTarget.ADDRESS_RULE);
        }
        if (!check.isHttp() && TransportProviders.forScheme(check.scheme()) == null) {
          throw new RuleViolation(MirrorTarget.ADDRESS_RULE + " (no transport on the class path"
              + " serves " + check.scheme() + "://)");
        }
        return v;
      });
  public static final ConfigKey<Double> SAMPLE_RATIO = key("sample-ratio", Scope.TARGET, "1",
      RATIO_RULE, ConfigCatalog::ratio,
      new Alias("sample_ratio", RATIO_RULE, v -> v),
      new Alias("percentage", "a percentage in [0.001, 100]", ConfigCatalog::percentage));
  public static final ConfigKey<Duration> CONNECT_TIMEOUT = timeout("timeout.connect",
      MirrorTarget.DEFAULT_CONNECT_TIMEOUT_MILLIS);
  public static final ConfigKey<Duration> READ_TIMEOUT = timeout("timeout.read",
      MirrorTarget.DEFAULT_READ_TIMEOUT_MILLIS);
  public static final ConfigKey<Integer> MAX_IN_FLIGHT = integer("max-in-flight", Scope.TARGET,
      MirrorTarget.DEFAULT_MAX_IN_FLIGHT, 1, MirrorTarget.MAX_MAX_IN_FLIGHT);
  public static final ConfigKey<Integer> MAX_IN_FLIGHT_BYTES = integer("max-in-flight-bytes",
      Scope.TARGET, MirrorTarget.DEFAULT_MAX_IN_FLIGHT_BYTES, 1,
      MirrorTarget.MAX_MAX_IN_FLIGHT_BYTES);
  public static final ConfigKey<Double> RATE_LIMIT = key("rate-limit", Scope.TARGET, "0",
      "copies per second in [0, 1000000], 0 for no limit", v -> {
        double perSecond = number(v);
        if (!(perSecond >= 0 && perSecond <= MirrorTarget.MAX_RATE_LIMIT)) {
          throw new RuleViolation("copies per second in [0, 1000000], 0 for no limit");
        }
        return perSecond;
      });
  public static final ConfigKey<HostHeader> HOST_HEADER = key("host-header", Scope.TARGET,
      "original", "original, target, or a literal host[:port]", v -> {
        try {
          return HostHeader.parse(v);
        } catch (IllegalArgumentException e) {
          throw new RuleViolation("original, target, or a literal host[:port]");
        }
      });
  public static final ConfigKey<HttpVersion> HTTP_VERSION = key("http-version", Scope.TARGET,
      "HTTP/1.1", "HTTP/1.1, HTTP/2 or h2c", v -> switch (v.toUpperCase(Locale.ROOT)) {
        case "HTTP/1.1", "1.1" -> HttpVersion.HTTP_1_1;
        case "HTTP/2", "2" -> HttpVersion.HTTP_2;
        case "H2C" -> HttpVersion.H2C;
        default -> throw new RuleViolation("HTTP/1.1, HTTP/2 or h2c");
      });
  public static final ConfigKey<Integer> FAILURE_THRESHOLD = integer("circuit.failure-threshold",
      Scope.TARGET, MirrorTarget.DEFAULT_FAILURE_THRESHOLD, 1, MirrorTarget.MAX_FAILURE_THRESHOLD);
  public static final ConfigKey<Duration> COOL_DOWN = timeout("circuit.cool-down",
      MirrorTarget.DEFAULT_COOL_DOWN_MILLIS);

  // Retries of copies that failed before the shadow could have processed them.
  public static final ConfigKey<Integer> RETRY_ATTEMPTS = integer("retry.attempts", Scope.TARGET,
      0, 0, RetryPolicy.MAX_ATTEMPTS);
  public static final ConfigKey<Duration> RETRY_BACKOFF = key("retry.backoff", Scope.TARGET,
      print(Duration.ofMillis(RetryPolicy.DEFAULT_BACKOFF_MILLIS)),
      DURATION_RULE + ", more than 0 and at most 10s", v -> {
        Duration d;
        try {
          d = duration(v, false);
        } catch (RuleViolation e) {
          throw new RuleViolation(DURATION_RULE + ", more than 0 and at most 10s");
        }
        if (d.compareTo(RetryPolicy.MAX_BACKOFF) > 0) {
          throw new RuleViolation(DURATION_RULE + ", more than 0 and at most 10s");
        }
        return d;
      });
  public static final ConfigKey<Integer> RETRY_MAX_PENDING = integer("retry.max-pending",
      Scope.TARGET, RetryPolicy.DEFAULT_MAX_PENDING, 1, RetryPolicy.MAX_MAX_PENDING);
  public static final ConfigKey<Boolean> RETRY_IDEMPOTENT_TIMEOUTS = bool(
      "retry.idempotent-timeouts", Scope.TARGET, false);

  // Dead letters: where copies that end failed or dropped go instead of being lost.
  public static final ConfigKey<String> DEAD_LETTER = key("dead-letter", Scope.TARGET, null,
      "the name of another target of the policy", v -> {
        if (!NAME.matcher(v).matches()) {
          throw new RuleViolation("the name of another target of the policy");
        }
        return v;
      });
  public static final ConfigKey<List<String>> DEAD_LETTER_ON = key("dead-letter.on", Scope.TARGET,
      String.join(",", DeadLetter.DEFAULT_ON), "a comma-separated list of "
          + String.join(", ", DeadLetter.REASONS), v -> {
        List<String> reasons = new ArrayList<>();
        for (String item : v.split(",", -1)) {
          String reason = item.trim().toUpperCase(Locale.ROOT);
          if (!DeadLetter.REASONS.contains(reason)) {
            throw new RuleViolation("a comma-separated list of "
                + String.join(", ", DeadLetter.REASONS));
          }
          reasons.add(reason);
        }
        return List.copyOf(reasons);
      });

  // Header changes for one target's copies, after the policy's: a shadow's own credentials.
  public static final ConfigKey<List<String>> TARGET_KEEP_HEADERS = key("headers.keep",
      Scope.TARGET, null, LIST_RULE, ConfigCatalog::list);
  public static final ConfigKey<List<String>> TARGET_REMOVE_HEADERS = key("headers.remove",
      Scope.TARGET, null, LIST_RULE, ConfigCatalog::list);
  public static final ConfigKey<List<String>> TARGET_MASK_HEADERS = key("headers.mask",
      Scope.TARGET, null, LIST_RULE, ConfigCatalog::list);
  public static final ConfigKey<String> TARGET_SET_HEADER = targetFamily("headers.set.",
      "a header value", v -> v);
  /** A file whose first line is the value of the header set (a mounted secret). */
  public static final ConfigKey<String> TARGET_SET_HEADER_FILE = targetFamily("headers.set-file.",
      "a file path", v -> {
        if (v.isEmpty()) {
          throw new RuleViolation("a file path");
        }
        return v;
      });

  // Comparison (Diffy, Scientist): which targets, and how their answers are compared.
  public static final ConfigKey<Boolean> COMPARE = bool("compare", Scope.TARGET, false);
  public static final ConfigKey<String> COMPARE_BASELINE = key("compare.baseline", Scope.POLICY,
      null, "the name of one of the policy's targets", v -> {
        if (!NAME.matcher(v).matches()) {
          throw new RuleViolation("the name of one of the policy's targets");
        }
        return v;
      });
  public static final ConfigKey<Integer> COMPARE_MAX_BODY_BYTES = integer("compare.max-body-bytes",
      Scope.POLICY, Comparison.DEFAULT_MAX_BODY_BYTES, 0, MirrorPolicy.MAX_MAX_BODY_BYTES);
  public static final ConfigKey<List<String>> COMPARE_HEADERS = key("compare.headers", Scope.POLICY,
      String.join(",", Comparison.DEFAULT_HEADERS), LIST_RULE + ", or * for all",
      ConfigCatalog::list);
  public static final ConfigKey<List<String>> COMPARE_IGNORE_HEADERS = key("compare.ignore-headers",
      Scope.POLICY, String.join(",", Comparison.DEFAULT_IGNORE_HEADERS), LIST_RULE,
      ConfigCatalog::list);
  public static final ConfigKey<List<String>> COMPARE_IGNORE_PATHS = key("compare.ignore-paths",
      Scope.POLICY, null, "comma-separated JSON-pointer globs such as /items/*/updatedAt", v -> {
        List<String> globs = list(v);
        for (String glob : globs) {
          if (!glob.startsWith("/") || glob.length() < 2) {
            throw new RuleViolation("comma-separated JSON-pointer globs such as /items/*/updatedAt");
          }
        }
        return globs;
      });
  public static final ConfigKey<Double> COMPARE_RELATIVE_THRESHOLD = percent(
      "compare.relative-threshold", "20", 10_000);
  public static final ConfigKey<Double> COMPARE_ABSOLUTE_THRESHOLD = percent(
      "compare.absolute-threshold", "0.03", 100);
  public static final ConfigKey<Integer> COMPARE_MAX_PENDING = integer("compare.max-pending",
      Scope.POLICY, Comparison.DEFAULT_MAX_PENDING, 1, 10_000_000);
  public static final ConfigKey<Duration> COMPARE_TIMEOUT = key("compare.timeout", Scope.POLICY,
      print(Comparison.DEFAULT_TIMEOUT), DURATION_RULE + ", more than 0 and at most 1h",
      v -> duration(v, false));

  // TLS to the shadow: target keys, so each shadow may have its own material.
  public static final ConfigKey<String> TLS_TRUST_STORE = path("tls.trust-store");
  public static final ConfigKey<String> TLS_TRUST_STORE_PASSWORD =
      secret("tls.trust-store-password");
  public static final ConfigKey<String> TLS_TRUST_STORE_PASSWORD_FILE = path(
      "tls.trust-store-password-file");
  public static final ConfigKey<String> TLS_TRUST_STORE_TYPE = storeType("tls.trust-store-type");
  public static final ConfigKey<String> TLS_KEY_STORE = path("tls.key-store");
  public static final ConfigKey<String> TLS_KEY_STORE_PASSWORD = secret("tls.key-store-password");
  public static final ConfigKey<String> TLS_KEY_STORE_PASSWORD_FILE =
      path("tls.key-store-password-file");
  public static final ConfigKey<String> TLS_KEY_STORE_TYPE = storeType("tls.key-store-type");
  public static final ConfigKey<String> TLS_KEY_ALIAS = key("tls.key-alias", Scope.TARGET, null,
      "the alias of a private key in the key store", v -> v);
  public static final ConfigKey<String> TLS_CA_FILE = path("tls.ca-file");
  public static final ConfigKey<String> TLS_CERT_FILE = path("tls.cert-file");
  public static final ConfigKey<String> TLS_KEY_FILE = path("tls.key-file");
  /** The TLS versions copies may use: older ones are refused, whatever the JVM allows. */
  static final List<String> TLS_VERSIONS = List.of("TLSv1.3", "TLSv1.2");
  static final String TLS_PROTOCOLS_RULE = "a comma-separated list of TLSv1.3 and TLSv1.2"
      + " (older versions are refused)";
  public static final ConfigKey<List<String>> TLS_PROTOCOLS = key("tls.protocols", Scope.TARGET,
      String.join(",", TLS_VERSIONS), TLS_PROTOCOLS_RULE, v -> {
        List<String> protocols = list(v);
        for (String protocol : protocols) {
          if (!TLS_VERSIONS.contains(protocol)) {
            throw new RuleViolation(TLS_PROTOCOLS_RULE);
          }
        }
        return protocols;
      });
  public static final ConfigKey<Boolean> TLS_VERIFY_HOSTNAME = bool("tls.verify-hostname",
      Scope.TARGET, true);

  /** The TLS keys, in the order they are read. */
  public static final List<ConfigKey<?>> TLS_KEYS = List.of(TLS_TRUST_STORE,
      TLS_TRUST_STORE_PASSWORD,
      TLS_TRUST_STORE_PASSWORD_FILE, TLS_TRUST_STORE_TYPE, TLS_KEY_STORE, TLS_KEY_STORE_PASSWORD,
      TLS_KEY_STORE_PASSWORD_FILE, TLS_KEY_STORE_TYPE, TLS_KEY_ALIAS, TLS_CA_FILE, TLS_CERT_FILE,
      TLS_KEY_FILE, TLS_PROTOCOLS, TLS_VERIFY_HOSTNAME);

  /**
   * The two rows of README's table that are not keys but say where keys go:
   * {@code mirror.policy.<p>.<key>} and {@code mirror.target.<t>.<key>}.
   */
  public static final Set<String> NESTING =
      Set.of("mirror.policy.<p>.<key>", "mirror.target.<t>.<key>");

  private static final List<ConfigKey<?>> KEYS = List.copyOf(ALL);

  /** Returns every key, in README's order of kinds: engine, policy, then target keys. */
  public static List<ConfigKey<?>> keys() {
    return KEYS;
  }

  /**
   * Finds the key a suffix (the part after {@code mirror.}, a policy or a target) names, in any
   * accepted spelling; a family's suffix may carry the header or cookie name.
   */
  public static Optional<ConfigKey<?>> find(String suffix) {
    for (ConfigKey<?> key : KEYS) {
      if (key.family() ? suffix.startsWith(key.suffix()) : key.suffix().equals(suffix)) {
        return Optional.of(key);
      }
      for (Alias alias : key.aliasRules()) {
        if (alias.suffix().equals(suffix)) {
          return Optional.of(key);
        }
      }
    }
    return Optional.empty();
  }

  // ---- how keys are made

  @SafeVarargs
  private static <T> ConfigKey<T> key(String suffix, Scope scope, String defaultValue,
      String rule, Function<String, T> parser, Alias... aliases) {
    ConfigKey<T> key = new ConfigKey<>(suffix, false, scope, defaultValue, rule, parser,
        List.of(aliases));
    ALL.add(key);
    return key;
  }

  private static ConfigKey<String> family(String suffix, String rule) {
    return family(suffix, rule, v -> v);
  }

  private static ConfigKey<String> family(String suffix, String rule,
      Function<String, String> parser) {
    ConfigKey<String> key = new ConfigKey<>(suffix, true, Scope.POLICY, null, rule, parser,
        List.of());
    ALL.add(key);
    return key;
  }

  private static ConfigKey<String> targetFamily(String suffix, String rule,
      Function<String, String> parser) {
    ConfigKey<String> key = new ConfigKey<>(suffix, true, Scope.TARGET, null, rule, parser,
        List.of());
    ALL.add(key);
    return key;
  }

  /** A family of keys selecting by value: exact, {@code *}, or {@code regex:<pattern>}. */
  private static ConfigKey<String> match(String suffix, String what) {
    return family(suffix, what + ", * for any value, or regex:<pattern> for the whole value",
        v -> {
          ValueMatch.of(v);
          return v;
        });
  }

  private static ConfigKey<Boolean> bool(String suffix, Scope scope, boolean fallback) {
    return key(suffix, scope, String.valueOf(fallback), BOOLEAN_RULE, ConfigCatalog::bool);
  }

  private static ConfigKey<Integer> integer(String suffix, Scope scope, int fallback, int min,
      int max) {
    String rule = "an integer in [" + min + ", " + max + "]";
    return key(suffix, scope, String.valueOf(fallback), rule, v -> {
      long value;
      try {
        value = Long.parseLong(v);
      } catch (NumberFormatException e) {
        throw new RuleViolation(rule);
      }
      if (value < min || value > max) {
        throw new RuleViolation(rule);
      }
      return (int) value;
    });
  }

  /** A policy key holding a percentage from 0 to {@code max}. */
  private static ConfigKey<Double> percent(String suffix, String fallback, int max) {
    String rule = "a percentage in [0, " + max + "]";
    return key(suffix, Scope.POLICY, fallback, rule, v -> {
      double percent = number(v);
      if (!(percent >= 0 && percent <= max)) {
        throw new RuleViolation(rule);
      }
      return percent;
    });
  }

  private static ConfigKey<Duration> timeout(String suffix, long fallbackMillis) {
    return key(suffix, Scope.TARGET, print(Duration.ofMillis(fallbackMillis)),
        DURATION_RULE + ", more than 0 and at most 1h", v -> duration(v, false));
  }

  private static ConfigKey<String> path(String suffix) {
    return key(suffix, Scope.TARGET, null, "a file path", v -> {
      if (v.isEmpty()) {
        throw new RuleViolation("a file path");
      }
      return v;
    });
  }

  /** A secret: its value never appears in a message, a log line or an answer. */
  private static ConfigKey<String> secret(String suffix) {
    return key(suffix, Scope.TARGET, null, "the password", v -> v);
  }

  private static ConfigKey<String> storeType(String suffix) {
    return key(suffix, Scope.TARGET, "PKCS12", "PKCS12 or JKS",
        v -> switch (v.toUpperCase(Locale.ROOT)) {
          case "PKCS12", "JKS" -> v.toUpperCase(Locale.ROOT);
          default -> throw new RuleViolation("PKCS12 or JKS");
        });
  }

  /** Parts of a key's name that make its value a secret, whatever the key's level or transport. */
  private static final List<String> SECRET_WORDS = List.of("password", "secret", "token", "jaas",
      "credential", "user.info", "ssl.keystore.key", "private");

  /** What a secret shows instead of its value: {@value}. */
  public static final String SECRET_SHOWN = "[masked]";

  /**
   * True for keys whose values are secrets, shown as {@link #SECRET_SHOWN} wherever a
   * configuration is shown (its {@code toString()}, errors, logs, the admin endpoint's views):
   * passwords of every kind (the TLS keys' and a transport's own, such as Kafka's {@code
   * mirror.kafka.ssl.keystore.password} or {@code sasl.jaas.config}), tokens and secrets ({@code
   * mirror.marker-secret}), and the values of headers set on copies ({@code
   * mirror.set-header.<name>}, a target's {@code mirror.target.<t>.headers.set.<name>}: they are
   * there to carry a shadow's own credentials).
   */
  public static boolean isSecret(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    if (lower.startsWith(PREFIX + SET_HEADER.suffix())
        || lower.contains("." + SET_HEADER.suffix())
        || lower.contains("." + TARGET_SET_HEADER.suffix())) {
      return true;
    }
    for (String word : SECRET_WORDS) {
      if (lower.contains(word)) {
        return true;
      }
    }
    return false;
  }

  /** Returns the keys with every secret's value replaced by {@link #SECRET_SHOWN}. */
  public static java.util.SortedMap<String, String> masked(Map<String, String> keys,
      String prefix) {
    java.util.SortedMap<String, String> shown = new java.util.TreeMap<>();
    keys.forEach((key, value) -> shown.put(key,
        isSecret(prefix + key) ? SECRET_SHOWN : value));
    return shown;
  }

  private static ConfigKey<List<String>> listKey(String suffix) {
    return key(suffix, Scope.POLICY, null, LIST_RULE, ConfigCatalog::list);
  }

  private static ConfigKey<List<String>> paths(String suffix) {
    return key(suffix, Scope.POLICY, null, "comma-separated globs starting with /, such as /api/**",
        v -> {
          List<String> globs = list(v);
          globs.forEach(PathPattern::of);
          return globs;
        });
  }

  // ---- rules

  public static boolean bool(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new RuleViolation(BOOLEAN_RULE);
    };
  }

  public static List<String> list(String value) {
    List<String> items = new ArrayList<>();
    for (String item : value.split(",", -1)) {
      String trimmed = item.trim();
      if (trimmed.isEmpty()) {
        throw new RuleViolation(LIST_RULE);
      }
      items.add(trimmed);
    }
    return List.copyOf(items);
  }

  private static List<String> names(String value) {
    List<String> names = list(value);
    Set<String> seen = new LinkedHashSet<>();
    for (String name : names) {
      if (!NAME.matcher(name).matches() || !seen.add(name)) {
        throw new RuleViolation(NAMES_RULE);
      }
    }
    return names;
  }

  private static double number(String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static double ratio(String value) {
    double ratio = number(value);
    if (!(ratio >= Sampler.MIN_RATIO && ratio <= Sampler.MAX_RATIO)) {
      throw new RuleViolation(RATIO_RULE);
    }
    return ratio;
  }

  /** The gateway's {@code percentage} (50 for half) as a ratio. */
  private static String percentage(String value) {
    double percent = number(value);
    if (!(percent >= 100 * Sampler.MIN_RATIO && percent <= 100)) {
      throw new RuleViolation("a percentage in [0.001, 100]");
    }
    return String.valueOf(percent / 100);
  }

  private static String sticky(String value) {
    int colon = value.indexOf(':');
    String kind = colon < 0 ? "" : value.substring(0, colon);
    String name = colon < 0 ? "" : value.substring(colon + 1).trim();
    if (name.isEmpty() || !(kind.equals("header") || kind.equals("cookie"))) {
      throw new RuleViolation("header:<name> or cookie:<name>, for example header:X-User-Id");
    }
    return kind + ":" + name;
  }

  static Duration duration(String value, boolean zeroAllowed) {
    Matcher m = DURATION.matcher(value);
    if (!m.matches()) {
      throw new RuleViolation(DURATION_RULE);
    }
    long amount = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
    if ((d.isZero() && !zeroAllowed) || d.compareTo(MirrorTarget.MAX_DURATION) > 0) {
      throw new RuleViolation(DURATION_RULE + ", "
          + (zeroAllowed ? "at least 0" : "more than 0") + " and at most 1h");
    }
    return d;
  }

  /** A control store's address: a scheme some provider serves, a host, a port and a name. */
  private static java.net.URI controlAddress(String value) {
    java.net.URI uri;
    try {
      uri = new java.net.URI(value);
    } catch (java.net.URISyntaxException e) {
      throw new RuleViolation(CONTROL_RULE);
    }
    String path = uri.getPath();
    if (uri.getScheme() == null || uri.getHost() == null || uri.getPort() <= 0
        || uri.getUserInfo() != null || uri.getQuery() != null || uri.getFragment() != null
        || path == null || path.length() < 2 || path.indexOf('/', 1) >= 0
        || dev.mirror.core.internal.control.ControlChannels.forScheme(uri.getScheme()) == null) {
      throw new RuleViolation(CONTROL_RULE);
    }
    return uri;
  }

  /** Writes a duration the way {@link #duration} reads it, in the largest exact unit. */
  public static String print(Duration d) {
    long millis = d.toMillis();
    if (millis != 0 && millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    if (millis != 0 && millis % 1_000 == 0) {
      return millis / 1_000 + "s";
    }
    return millis + "ms";
  }

  private static MirrorTransportProvider transport(String name) {
    Map<String, MirrorTransportProvider> found = TransportProviders.all();
    MirrorTransportProvider provider = found.get(name);
    if (provider == null) {
      throw new RuleViolation("the name of a transport on the class path: one of "
          + String.join(", ", found.keySet())
          + " (jetty comes with the module mirror-transport-jetty)");
    }
    return provider;
  }
}
