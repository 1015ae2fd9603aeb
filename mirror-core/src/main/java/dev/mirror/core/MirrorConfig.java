package dev.mirror.core;

import dev.mirror.api.HostHeader;
import dev.mirror.api.HttpVersion;
import dev.mirror.api.MirrorMode;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransportProvider;
import dev.mirror.api.PathMode;
import dev.mirror.api.RequestFilter;
import dev.mirror.api.Rewrite;
import dev.mirror.api.Sampler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mirroring configured from flat string keys: the one parser behind web.xml init-params, JAX-RS
 * properties, system properties and {@code .properties} files.
 *
 * <p>The simplest configuration is one key, {@code mirror.host=http://staging:8080}. Keys for a
 * target ({@code mirror.timeout.read}, ...) may be given at the top, for a policy
 * ({@code mirror.policy.<p>.timeout.read}) or for one target ({@code mirror.target.<t>.timeout.read}
 * or {@code mirror.policy.<p>.target.<t>.timeout.read}); the most specific wins. Keys not starting
 * with {@code mirror.} are ignored; an unknown {@code mirror.} key is an error. Every key and
 * default is listed in README.md and in {@link #KEYS}.
 *
 * <p>Every error is a {@link MirrorConfigException} naming the key, the value and what is allowed.
 */
public final class MirrorConfig {

  /** Prefix of every key: {@value}. */
  public static final String PREFIX = "mirror.";

  /**
   * Every key, with {@code <p>}, {@code <t>} and {@code <name>} standing for a policy, a target and
   * a header or cookie name. A target-level key may also be given at policy or top level.
   */
  public static final Set<String> KEYS = Set.of(
      "mirror.policies", "mirror.policy.<p>.<key>", "mirror.dispatch-threads",
      "mirror.close-timeout", "mirror.transport",
      "mirror.enabled", "mirror.host", "mirror.targets", "mirror.target.<t>.<key>",
      "mirror.path", "mirror.path-concat-mode", "mirror.sample-ratio", "mirror.sticky-key",
      "mirror.methods", "mirror.include-paths", "mirror.exclude-paths",
      "mirror.match-header.<name>", "mirror.match-cookie.<name>", "mirror.max-body-bytes",
      "mirror.synchronous", "mirror.log-responses", "mirror.marker-header",
      "mirror.remove-headers", "mirror.mask-headers", "mirror.mask-value",
      "mirror.set-header.<name>", "mirror.redact-credentials", "mirror.redact-cookies",
      "mirror.redact-query-params", "mirror.redact-mode", "mirror.require-https",
      "mirror.timeout.connect", "mirror.timeout.read", "mirror.max-in-flight",
      "mirror.max-in-flight-bytes", "mirror.rate-limit",
      "mirror.host-header", "mirror.http-version", "mirror.circuit.failure-threshold",
      "mirror.circuit.cool-down");

  private static final Set<String> TARGET_KEYS = Set.of("timeout.connect", "timeout.read",
      "max-in-flight", "max-in-flight-bytes", "rate-limit", "host-header", "http-version", "circuit.failure-threshold",
      "circuit.cool-down");

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");
  private static final String DURATION_RULE = "a duration such as 500ms, 2s or 1m";
  private static final long MAX_DURATION_MILLIS = Duration.ofHours(1).toMillis();

  private final List<MirrorPolicy> policies;
  private final int dispatchThreads;
  private final Duration closeTimeout;
  /** The transport's provider, found by {@code mirror.transport}. */
  private final MirrorTransportProvider transport;

  private MirrorConfig(List<MirrorPolicy> policies, int dispatchThreads, Duration closeTimeout,
      MirrorTransportProvider transport) {
    this.policies = List.copyOf(policies);
    this.dispatchThreads = dispatchThreads;
    this.closeTimeout = closeTimeout;
    this.transport = transport;
  }

  /**
   * Parses flat keys; keys without the {@code mirror.} prefix are ignored.
   *
   * @throws MirrorConfigException naming the key for any invalid, unknown or conflicting key
   */
  public static MirrorConfig parse(Map<String, String> properties) {
    Objects.requireNonNull(properties, "properties");
    return new Parser(properties).parse();
  }

  /** Parses the {@code mirror.*} system properties. */
  public static MirrorConfig fromSystemProperties() {
    return parse(toMap(System.getProperties()));
  }

  /**
   * Parses a {@code .properties} file.
   *
   * @throws UncheckedIOException if it cannot be read
   */
  public static MirrorConfig load(Path file) {
    Properties properties = new Properties();
    try (InputStream in = Files.newInputStream(file)) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read mirror configuration " + file, e);
    }
    return parse(toMap(properties));
  }

  private static Map<String, String> toMap(Properties properties) {
    Map<String, String> map = new LinkedHashMap<>();
    for (String name : properties.stringPropertyNames()) {
      map.put(name, properties.getProperty(name));
    }
    return map;
  }

  /** Returns the policies, in the order they are tried. */
  public List<MirrorPolicy> policies() {
    return policies;
  }

  /** Returns {@code mirror.dispatch-threads}. */
  public int dispatchThreads() {
    return dispatchThreads;
  }

  /** Returns {@code mirror.close-timeout}. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /** Returns the name of the transport copies go out through ({@code mirror.transport}). */
  public String transport() {
    return transport.name();
  }

  /**
   * Returns an engine builder holding this configuration, for adding listeners. The transport
   * named by {@code mirror.transport} is made here and owned (closed) by the engine.
   */
  public MirrorEngine.Builder engineBuilder() {
    return MirrorEngine.builder()
        .policies(policies)
        .dispatchThreads(dispatchThreads)
        .closeTimeout(closeTimeout)
        .ownedTransport(transport.create());
  }

  /** Returns a new engine for this configuration. */
  public MirrorEngine newEngine() {
    return engineBuilder().build();
  }

  /** Reads keys, remembering which were used, so the rest can be reported as unknown. */
  private static final class Parser {
    private final TreeMap<String, String> all = new TreeMap<>();
    private final Set<String> used = new LinkedHashSet<>();

    Parser(Map<String, String> properties) {
      for (Map.Entry<String, String> e : properties.entrySet()) {
        if (e.getKey() != null && e.getKey().startsWith(PREFIX)) {
          all.put(e.getKey(), e.getValue() == null ? "" : e.getValue().trim());
        }
      }
    }

    MirrorConfig parse() {
      int threads = integer(List.of("mirror.dispatch-threads"), MirrorEngine.DEFAULT_DISPATCH_THREADS,
          1, 64);
      Duration closeTimeout = duration(List.of("mirror.close-timeout"),
          Duration.ofMillis(MirrorEngine.DEFAULT_CLOSE_TIMEOUT_MILLIS), true);
      MirrorTransportProvider transport = transport(first(List.of("mirror.transport")));
      List<MirrorPolicy> policies = new ArrayList<>();
      Key policyNames = first(List.of("mirror.policies"));
      if (policyNames == null) {
        policies.add(policy("default", List.of("mirror.")));
      } else {
        for (String name : names(policyNames)) {
          policies.add(policy(name, List.of("mirror.policy." + name + ".", "mirror.")));
        }
      }
      Set<String> unknown = new TreeSet<>(all.keySet());
      unknown.removeAll(used);
      if (!unknown.isEmpty()) {
        String key = unknown.iterator().next();
        throw new MirrorConfigException(key, "unknown key (or one that applies to no policy or"
            + " target), must be one of " + String.join(", ", new TreeSet<>(KEYS)));
      }
      return new MirrorConfig(policies, threads, closeTimeout, transport);
    }

    /** A key that was found, and its value. */
    private record Key(String name, String value) {}

    /** Returns the most specific key present; all present ones count as known. */
    private Key first(List<String> keys) {
      Key found = null;
      for (String key : keys) {
        String value = all.get(key);
        if (value != null) {
          used.add(key);
          if (found == null) {
            found = new Key(key, value);
          }
        }
      }
      return found;
    }

    private static List<String> keys(List<String> prefixes, String suffix) {
      List<String> keys = new ArrayList<>(prefixes.size());
      for (String prefix : prefixes) {
        keys.add(prefix + suffix);
      }
      return keys;
    }

    private MirrorPolicy policy(String name, List<String> prefixes) {
      MirrorPolicy.Builder policy = MirrorPolicy.builder(name);
      boolean enabled = bool(keys(prefixes, "enabled"), true);
      policy.enabled(enabled);

      Key host = first(keys(prefixes, "host"));
      Key targetNames = first(keys(prefixes, "targets"));
      if (host != null && targetNames != null) {
        throw new MirrorConfigException(targetNames.name(), "was " + targetNames.value()
            + ", must not be set together with " + host.name() + " (use one of them)");
      }
      if (host == null && targetNames == null && enabled) {
        throw new MirrorConfigException(prefixes.get(0) + "host",
            "is missing, must be set to the shadow's scheme://host[:port] (or list "
                + prefixes.get(0) + "targets)");
      }
      double ratio = ratio(keys(prefixes, "sample-ratio"), 1.0);
      Key sticky = first(keys(prefixes, "sticky-key"));
      Key requireHttps = first(keys(prefixes, "require-https"));
      if (requireHttps != null && parseBool(requireHttps)) {
        List<Key> hosts = new ArrayList<>();
        if (host != null) {
          hosts.add(host);
        } else if (targetNames != null) {
          for (String targetName : names(targetNames)) {
            Key targetHost = first(List.of(prefixes.get(0) + "target." + targetName + ".host"));
            if (targetHost != null) {
              hosts.add(targetHost);
            }
          }
        }
        for (Key address : hosts) {
          if (!address.value().startsWith("https://")) {
            throw new MirrorConfigException(address.name(), address.value(),
                "an https:// address, because " + requireHttps.name() + " is true");
          }
        }
      }
      if (host != null) {
        policy.target(target("default", host, prefixes, List.of(), ratio, sticky, null));
      } else if (targetNames != null) {
        for (String targetName : names(targetNames)) {
          List<String> targetPrefixes = new ArrayList<>();
          targetPrefixes.add(prefixes.get(0) + "target." + targetName + ".");
          Key targetHost = first(List.of(targetPrefixes.get(0) + "host"));
          if (targetHost == null) {
            throw new MirrorConfigException(targetPrefixes.get(0) + "host",
                "is missing, must be set for every target listed in " + targetNames.name());
          }
          Double targetRatio = optionalRatio(List.of(targetPrefixes.get(0) + "sample-ratio"));
          policy.target(target(targetName, targetHost, prefixes, targetPrefixes, ratio, sticky,
              targetRatio));
        }
      }
      policy.sampler(sampler(sticky, ratio));
      policy.filter(filter(prefixes));
      policy.rewrite(rewrite(prefixes));
      policy.maxBodyBytes(integer(keys(prefixes, "max-body-bytes"),
          MirrorPolicy.DEFAULT_MAX_BODY_BYTES, 0, MirrorPolicy.MAX_MAX_BODY_BYTES));
      policy.mode(bool(keys(prefixes, "synchronous"), false)
          ? MirrorMode.SYNCHRONOUS : MirrorMode.ASYNCHRONOUS);
      policy.logResponses(bool(keys(prefixes, "log-responses"), false));
      Key marker = first(keys(prefixes, "marker-header"));
      if (marker != null) {
        apply(marker, () -> policy.markerHeader(marker.value()));
      }
      try {
        return policy.build();
      } catch (IllegalStateException e) {
        throw new MirrorConfigException(prefixes.get(0) + "targets", e.getMessage());
      }
    }

    private static MirrorTransportProvider transport(Key key) {
      String name = key == null ? NioHttpTransport.NAME : key.value();
      Map<String, MirrorTransportProvider> found = TransportProviders.all();
      MirrorTransportProvider provider = found.get(name);
      if (provider == null) {
        throw new MirrorConfigException(key.name(), key.value(), "the name of a transport on the"
            + " class path: one of " + String.join(", ", found.keySet())
            + " (jetty comes with the module mirror-transport-jetty)");
      }
      return provider;
    }

    private Sampler sampler(Key sticky, double ratio) {
      if (sticky == null) {
        return Sampler.ratio(ratio);
      }
      String value = sticky.value();
      int colon = value.indexOf(':');
      String kind = colon < 0 ? "" : value.substring(0, colon);
      String name = colon < 0 ? "" : value.substring(colon + 1).trim();
      if (name.isEmpty() || !(kind.equals("header") || kind.equals("cookie"))) {
        throw new MirrorConfigException(sticky.name(), value,
            "header:<name> or cookie:<name>, for example header:X-User-Id");
      }
      return kind.equals("header") ? Sampler.stickyHeader(name, ratio)
          : Sampler.stickyCookie(name, ratio);
    }

    private MirrorTarget target(String name, Key host, List<String> policyPrefixes,
        List<String> targetPrefixes, double policyRatio, Key sticky, Double targetRatio) {
      MirrorTarget.Builder target;
      try {
        target = MirrorTarget.builder(name, host.value());
      } catch (IllegalArgumentException e) {
        throw new MirrorConfigException(host.name(), host.value(), MirrorTarget.ADDRESS_RULE);
      }
      List<String> prefixes = new ArrayList<>(targetPrefixes);
      prefixes.addAll(policyPrefixes);
      target.connectTimeout(duration(keys(prefixes, "timeout.connect"),
          Duration.ofMillis(MirrorTarget.DEFAULT_CONNECT_TIMEOUT_MILLIS), false));
      target.readTimeout(duration(keys(prefixes, "timeout.read"),
          Duration.ofMillis(MirrorTarget.DEFAULT_READ_TIMEOUT_MILLIS), false));
      target.maxInFlight(integer(keys(prefixes, "max-in-flight"), MirrorTarget.DEFAULT_MAX_IN_FLIGHT,
          1, MirrorTarget.MAX_MAX_IN_FLIGHT));
      target.maxInFlightBytes(integer(keys(prefixes, "max-in-flight-bytes"),
          MirrorTarget.DEFAULT_MAX_IN_FLIGHT_BYTES, 1, MirrorTarget.MAX_MAX_IN_FLIGHT_BYTES));
      Key rate = first(keys(prefixes, "rate-limit"));
      if (rate != null) {
        double perSecond = number(rate);
        if (!(perSecond >= 0 && perSecond <= 1_000_000)) {
          throw new MirrorConfigException(rate.name(), rate.value(),
              "copies per second in [0, 1000000], 0 for no limit");
        }
        target.rateLimit(perSecond);
      }
      Key hostHeader = first(keys(prefixes, "host-header"));
      if (hostHeader != null) {
        try {
          target.hostHeader(HostHeader.parse(hostHeader.value()));
        } catch (IllegalArgumentException e) {
          throw new MirrorConfigException(hostHeader.name(), "'" + hostHeader.value() + "'",
              "original, target, or a literal host[:port]");
        }
      }
      Key version = first(keys(prefixes, "http-version"));
      if (version != null) {
        switch (version.value().toUpperCase(Locale.ROOT)) {
          case "HTTP/1.1":
          case "1.1":
            target.httpVersion(HttpVersion.HTTP_1_1);
            break;
          case "HTTP/2":
          case "2":
            target.httpVersion(HttpVersion.HTTP_2);
            break;
          default:
            throw new MirrorConfigException(version.name(), version.value(), "HTTP/1.1 or HTTP/2");
        }
      }
      target.failureThreshold(integer(keys(prefixes, "circuit.failure-threshold"),
          MirrorTarget.DEFAULT_FAILURE_THRESHOLD, 1, 1_000_000));
      target.coolDown(duration(keys(prefixes, "circuit.cool-down"),
          Duration.ofMillis(MirrorTarget.DEFAULT_COOL_DOWN_MILLIS), false));
      if (targetRatio != null) {
        // Nested with a sticky policy: the same users, a share of them, so decisions stay sticky.
        double share = policyRatio * targetRatio;
        target.sampler(sticky == null ? Sampler.ratio(targetRatio)
            : sampler(sticky, Math.max(Sampler.MIN_RATIO, share)));
      }
      return target.build();
    }

    private RequestFilter filter(List<String> prefixes) {
      RequestFilter.Builder filter = RequestFilter.builder();
      Key methods = first(keys(prefixes, "methods"));
      if (methods != null) {
        for (String method : list(methods)) {
          if (!NAME.matcher(method).matches()) {
            throw new MirrorConfigException(methods.name(), methods.value(),
                "a comma-separated list of methods such as GET,HEAD");
          }
          filter.methods(method);
        }
      }
      Key include = first(keys(prefixes, "include-paths"));
      if (include != null) {
        apply(include, () -> filter.includePaths(list(include).toArray(new String[0])));
      }
      Key exclude = first(keys(prefixes, "exclude-paths"));
      if (exclude != null) {
        apply(exclude, () -> filter.excludePaths(list(exclude).toArray(new String[0])));
      }
      family(prefixes, "match-header.").forEach(filter::requireHeader);
      family(prefixes, "match-cookie.").forEach(filter::requireCookie);
      return filter.build();
    }

    private Rewrite rewrite(List<String> prefixes) {
      Rewrite.Builder rewrite = Rewrite.builder();
      Key path = first(keys(prefixes, "path"));
      Key mode = first(keys(prefixes, "path-concat-mode"));
      PathMode pathMode = PathMode.REPLACE;
      if (mode != null) {
        switch (mode.value()) {
          case "replace":
            break;
          case "prefix":
            pathMode = PathMode.PREFIX;
            break;
          default:
            throw new MirrorConfigException(mode.name(), mode.value(), "replace or prefix");
        }
      }
      if (path != null) {
        PathMode chosen = pathMode;
        apply(path, () -> rewrite.path(path.value(), chosen), Rewrite.PATH_RULE);
      }
      Key remove = first(keys(prefixes, "remove-headers"));
      if (remove != null) {
        rewrite.removeHeaders(list(remove).toArray(new String[0]));
      }
      Key mask = first(keys(prefixes, "mask-headers"));
      if (mask != null) {
        rewrite.maskHeaders(list(mask).toArray(new String[0]));
      }
      Key maskValue = first(keys(prefixes, "mask-value"));
      if (maskValue != null) {
        rewrite.maskValue(maskValue.value());
      }
      family(prefixes, "set-header.").forEach(rewrite::setHeader);
      rewrite.redactCredentials(bool(keys(prefixes, "redact-credentials"), false));
      Key cookies = first(keys(prefixes, "redact-cookies"));
      if (cookies != null) {
        rewrite.redactCookies(list(cookies).toArray(new String[0]));
      }
      Key params = first(keys(prefixes, "redact-query-params"));
      if (params != null) {
        rewrite.redactQueryParams(list(params).toArray(new String[0]));
      }
      Key redactMode = first(keys(prefixes, "redact-mode"));
      if (redactMode != null) {
        switch (redactMode.value()) {
          case "mask":
            rewrite.redactMode(Rewrite.RedactMode.MASK);
            break;
          case "remove":
            rewrite.redactMode(Rewrite.RedactMode.REMOVE);
            break;
          default:
            throw new MirrorConfigException(redactMode.name(), redactMode.value(), "mask or remove");
        }
      }
      return rewrite.build();
    }

    /** Collects {@code <prefix><family><name>=value} keys; the most specific prefix wins. */
    private Map<String, String> family(List<String> prefixes, String family) {
      Map<String, String> found = new LinkedHashMap<>();
      for (String prefix : prefixes) {
        String start = prefix + family;
        for (Map.Entry<String, String> e : all.tailMap(start).entrySet()) {
          if (!e.getKey().startsWith(start)) {
            break;
          }
          String name = e.getKey().substring(start.length());
          if (name.isEmpty() || !NAME.matcher(name).matches()) {
            throw new MirrorConfigException(e.getKey(), "has no valid name after " + start
                + ", must be " + start + "<name> with a header or cookie name");
          }
          used.add(e.getKey());
          found.putIfAbsent(name, e.getValue());
        }
      }
      return found;
    }

    private void apply(Key key, Runnable setter) {
      apply(key, setter, null);
    }

    /** Runs a builder call, turning its complaint into one that names the key. */
    private static void apply(Key key, Runnable setter, String rule) {
      try {
        setter.run();
      } catch (IllegalArgumentException e) {
        String message = e.getMessage();
        int must = message == null ? -1 : message.indexOf("must be ");
        String allowed = rule != null ? rule
            : must >= 0 ? message.substring(must + "must be ".length()) : String.valueOf(message);
        throw new MirrorConfigException(key.name(), key.value(), allowed);
      }
    }

    private List<String> names(Key key) {
      List<String> names = list(key);
      Set<String> seen = new LinkedHashSet<>();
      for (String name : names) {
        if (!NAME.matcher(name).matches() || !seen.add(name)) {
          throw new MirrorConfigException(key.name(), key.value(),
              "a comma-separated list of distinct names of letters, digits, '-' or '_'");
        }
      }
      return names;
    }

    private static List<String> list(Key key) {
      List<String> items = new ArrayList<>();
      for (String item : key.value().split(",", -1)) {
        String trimmed = item.trim();
        if (trimmed.isEmpty()) {
          throw new MirrorConfigException(key.name(), "'" + key.value() + "'",
              "a comma-separated list without empty entries");
        }
        items.add(trimmed);
      }
      return items;
    }

    private boolean bool(List<String> keys, boolean fallback) {
      Key key = first(keys);
      return key == null ? fallback : parseBool(key);
    }

    private static boolean parseBool(Key key) {
      switch (key.value().toLowerCase(Locale.ROOT)) {
        case "true":
          return true;
        case "false":
          return false;
        default:
          throw new MirrorConfigException(key.name(), key.value(), "true or false");
      }
    }

    private int integer(List<String> keys, int fallback, int min, int max) {
      Key key = first(keys);
      if (key == null) {
        return fallback;
      }
      long value;
      try {
        value = Long.parseLong(key.value());
      } catch (NumberFormatException e) {
        value = Long.MIN_VALUE;
      }
      if (value < min || value > max) {
        throw new MirrorConfigException(key.name(), key.value(),
            "an integer in [" + min + ", " + max + "]");
      }
      return (int) value;
    }

    private static double number(Key key) {
      try {
        return Double.parseDouble(key.value());
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }

    private double ratio(List<String> keys, double fallback) {
      Double ratio = optionalRatio(keys);
      return ratio == null ? fallback : ratio;
    }

    private Double optionalRatio(List<String> keys) {
      Key key = first(keys);
      if (key == null) {
        return null;
      }
      double value = number(key);
      if (!(value >= Sampler.MIN_RATIO && value <= Sampler.MAX_RATIO)) {
        throw new MirrorConfigException(key.name(), key.value(), "in [0.00001, 1]");
      }
      return value;
    }

    private Duration duration(List<String> keys, Duration fallback, boolean zeroAllowed) {
      Key key = first(keys);
      if (key == null) {
        return fallback;
      }
      Matcher m = DURATION.matcher(key.value());
      if (!m.matches()) {
        throw new MirrorConfigException(key.name(), key.value(), DURATION_RULE);
      }
      long amount = Long.parseLong(m.group(1));
      Duration d = m.group(2).equals("ms") ? Duration.ofMillis(amount)
          : m.group(2).equals("s") ? Duration.ofSeconds(amount) : Duration.ofMinutes(amount);
      if ((d.isZero() && !zeroAllowed) || d.toMillis() > MAX_DURATION_MILLIS) {
        throw new MirrorConfigException(key.name(), key.value(),
            DURATION_RULE + ", " + (zeroAllowed ? "at least 0" : "more than 0") + " and at most 1h");
      }
      return d;
    }
  }
}
