package dev.mirror.core;

import static dev.mirror.core.config.ConfigCatalog.*;

import dev.mirror.api.Comparison;
import dev.mirror.api.DeadLetter;
import dev.mirror.api.Headers;
import dev.mirror.api.HostHeader;
import dev.mirror.api.HttpVersion;
import dev.mirror.api.MirrorMode;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransportProvider;
import dev.mirror.api.PathMode;
import dev.mirror.api.RequestFilter;
import dev.mirror.api.RetryPolicy;
import dev.mirror.api.Rewrite;
import dev.mirror.api.Sampler;
import dev.mirror.api.Scrubbing;
import dev.mirror.api.TargetHeaders;
import dev.mirror.core.config.ConfigCatalog;
import dev.mirror.core.config.ConfigKey;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.internal.TransportProviders;
import dev.mirror.core.internal.http1.Http1Pool;
import dev.mirror.core.internal.marker.LoopMarker;
import dev.mirror.core.internal.tls.TlsMaterial;
import dev.mirror.core.transport.NioHttpTransport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads flat keys into a {@link MirrorConfig} through the {@link ConfigCatalog}, remembering which
 * keys were used so that the rest can be reported as unknown, each with the most helpful message.
 */
final class ConfigParser {

  private static final Logger LOG = LoggerFactory.getLogger(MirrorConfig.class);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
  private static final String ADMIN_PREFIX = "mirror.admin.";
  private static final String SPRING_PREFIX = "mirror.spring.";
  /** The largest file a header value is read from: {@value} bytes. */
  static final int MAX_HEADER_FILE_BYTES = 8192;

  private final TreeMap<String, String> all = new TreeMap<>();
  private final Set<String> used = new LinkedHashSet<>();
  /** Keys whose effect the built objects do not show (samplers, checks), to print them back. */
  private final Map<String, String> given = new TreeMap<>();
  private String transportName;

  ConfigParser(Map<String, String> properties) {
    for (Map.Entry<String, String> e : properties.entrySet()) {
      // mirror.admin.* keys configure the admin endpoint (module mirror-admin), mirror.spring.*
      // the Spring Boot starter's filter registration: not the engine.
      if (e.getKey() != null && e.getKey().startsWith(MirrorConfig.PREFIX)
          && !e.getKey().startsWith(ADMIN_PREFIX) && !e.getKey().startsWith(SPRING_PREFIX)) {
        all.put(e.getKey(), e.getValue() == null ? "" : e.getValue().trim());
      }
    }
  }

  MirrorConfig parse() {
    List<String> top = List.of(MirrorConfig.PREFIX);
    int threads = value(DISPATCH_THREADS, top);
    Duration closeTimeout = value(CLOSE_TIMEOUT, top);
    MirrorTransportProvider transport = value(TRANSPORT, top);
    transportName = transport.name();
    List<MirrorPolicy> policies = new ArrayList<>();
    List<String> policyNames = value(POLICIES, top);
    if (policyNames == null) {
      policies.add(policy("default", top));
    } else {
      for (String name : policyNames) {
        policies.add(policy(name, List.of("mirror.policy." + name + ".", MirrorConfig.PREFIX)));
      }
    }
    Map<String, Map<String, String>> transportSettings = transportSettings();
    String markerSecret = markerSecret(top);
    List<String> allowed = value(ALLOWED_TARGETS, top);
    if (allowed != null) {
      given.put(ALLOWED_TARGETS.name(), String.join(",", allowed));
    }
    control(top);
    boolean pipelining = value(PIPELINING, top);
    given.put(PIPELINING.name(), String.valueOf(pipelining));
    if (!pipelining) {
      transportSettings.computeIfAbsent(NioHttpTransport.NAME, k -> new TreeMap<>())
          .put(NioHttpTransport.PIPELINING, "false");
    }
    int maxConnections = value(MAX_CONNECTIONS, top);
    given.put(MAX_CONNECTIONS.name(), String.valueOf(maxConnections));
    if (maxConnections != Http1Pool.MAX_CONNECTIONS) {
      transportSettings.computeIfAbsent(NioHttpTransport.NAME, k -> new TreeMap<>())
          .put(NioHttpTransport.MAX_CONNECTIONS, Integer.toString(maxConnections));
    }
    Set<String> unknown = new TreeSet<>(all.keySet());
    unknown.removeAll(used);
    if (!unknown.isEmpty()) {
      throw UnknownKey.explain(unknown.iterator().next(), policyNames, policies);
    }
    return new MirrorConfig(policies, threads, closeTimeout, transport, given, transportSettings,
        markerSecret);
  }

  /**
   * The control store ({@code mirror.control}, its {@code replica}, {@code timeout} and the
   * {@code mirror.control.<store>.*} settings, checked by the store's provider when the engine
   * opens it) and the watched file ({@code mirror.config-file}): kept as given, to print back.
   */
  private void control(List<String> top) {
    java.net.URI control = value(CONTROL, top);
    Found replica = find(CONTROL_REPLICA, top);
    Found timeout = find(CONTROL_TIMEOUT, top);
    Found file = find(CONFIG_FILE, top);
    if (control == null) {
      for (Found unused : new Found[] {replica, timeout}) {
        if (unused != null) {
          throw new MirrorConfigException(unused.name(), "is not used without "
              + CONTROL.name() + " (the control store's address)");
        }
      }
    } else {
      if (file != null) {
        throw new MirrorConfigException(file.name(), "must not be set together with "
            + CONTROL.name() + ": a fleet changes through its store, one source of changes");
      }
      given.put(CONTROL.name(), control.toString());
      if (replica != null) {
        given.put(replica.name(), CONTROL_REPLICA.parse(replica.name(), replica.value()));
      }
      if (timeout != null) {
        given.put(timeout.name(), ConfigCatalog.print(CONTROL_TIMEOUT.parse(timeout.name(),
            timeout.value())));
      }
      String prefix = CONTROL.name() + "." + dev.mirror.core.internal.control.ControlChannels
          .forScheme(control.getScheme()).name() + ".";
      for (Map.Entry<String, String> e : all.entrySet()) {
        if (e.getKey().startsWith(prefix) && e.getKey().length() > prefix.length()) {
          used.add(e.getKey());
          given.put(e.getKey(), e.getValue());
        }
      }
    }
    if (file != null) {
      given.put(file.name(), CONFIG_FILE.parse(file.name(), file.value()));
    }
  }

  /** The marker secret, given or read from its file (first line, trimmed); null if neither. */
  private String markerSecret(List<String> top) {
    Found inline = find(MARKER_SECRET, top);
    Found file = find(MARKER_SECRET_FILE, top);
    if (inline != null && file != null) {
      throw new MirrorConfigException(file.name(), "must not be set together with "
          + inline.name() + " (use one of them)");
    }
    if (inline != null) {
      given.put(inline.name(), inline.value());
      return MARKER_SECRET.parse(inline.name(), inline.value());
    }
    if (file == null) {
      return null;
    }
    String path = MARKER_SECRET_FILE.parse(file.name(), file.value());
    given.put(file.name(), path);
    String text;
    try {
      Path secret = Path.of(path);
      if (!Files.isRegularFile(secret)) {
        throw new MirrorConfigException(file.name(), path, "a readable regular file");
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(secret)) {
        bytes = in.readNBytes(4096);
      }
      text = new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException | InvalidPathException e) {
      throw new MirrorConfigException(file.name(), path, "a readable regular file ("
          + e.getClass().getSimpleName() + ")");
    }
    int end = text.indexOf('\n');
    String secret = (end < 0 ? text : text.substring(0, end)).strip();
    if (secret.length() < LoopMarker.MIN_SECRET_LENGTH) {
      // The value is never shown: only the rule it broke.
      throw new MirrorConfigException(file.name(), "holds a secret shorter than "
          + LoopMarker.MIN_SECRET_LENGTH + " characters, must hold one of at least "
          + LoopMarker.MIN_SECRET_LENGTH);
    }
    return secret;
  }

  /**
   * The {@code mirror.<transport>.*} keys of the transports on the class path (file capture's,
   * Kafka's): their settings, checked by the transport when it is made.
   */
  private Map<String, Map<String, String>> transportSettings() {
    Map<String, Map<String, String>> settings = new TreeMap<>();
    for (String name : TransportProviders.all().keySet()) {
      String prefix = MirrorConfig.PREFIX + name + ".";
      for (Map.Entry<String, String> e : all.entrySet()) {
        if (e.getKey().startsWith(prefix) && e.getKey().length() > prefix.length()) {
          settings.computeIfAbsent(name, k -> new TreeMap<>())
              .put(e.getKey().substring(prefix.length()), e.getValue());
          used.add(e.getKey());
          given.put(e.getKey(), e.getValue());
        }
      }
    }
    return settings;
  }

  /** A key that was found under one of its spellings, and its value in the key's own form. */
  private record Found(String name, String value) {}

  /**
   * Returns the most specific of the key's places that is present (any spelling); every present
   * one counts as known. Two spellings at one place conflict.
   */
  private Found find(ConfigKey<?> key, List<String> prefixes) {
    Found found = null;
    for (String prefix : prefixes) {
      Found here = null;
      String canonical = prefix + key.suffix();
      if (all.containsKey(canonical)) {
        used.add(canonical);
        here = new Found(canonical, all.get(canonical));
      }
      for (ConfigKey.Alias alias : key.aliasRules()) {
        String name = prefix + alias.suffix();
        String value = all.get(name);
        if (value == null) {
          continue;
        }
        used.add(name);
        if (here != null) {
          throw new MirrorConfigException(name, "must not be set together with " + here.name()
              + " (two spellings of one key)");
        }
        try {
          here = new Found(name, alias.toCanonical().apply(value));
        } catch (IllegalArgumentException e) {
          throw new MirrorConfigException(name, value, e.getMessage());
        }
      }
      if (found == null) {
        found = here;
      }
    }
    return found;
  }

  /** Returns the key's value from its most specific place, or its default (null if none). */
  private <T> T value(ConfigKey<T> key, List<String> prefixes) {
    Found found = find(key, prefixes);
    return found == null ? key.parseDefault() : key.parse(found.name(), found.value());
  }

  private static List<String> withSuffix(List<String> prefixes, String suffix) {
    List<String> out = new ArrayList<>(prefixes.size());
    for (String prefix : prefixes) {
      out.add(prefix + suffix);
    }
    return out;
  }

  private MirrorPolicy policy(String name, List<String> prefixes) {
    String own = prefixes.get(0);
    String printed = "mirror.policy." + name + ".";
    MirrorPolicy.Builder policy = MirrorPolicy.builder(name);
    boolean enabled = value(ENABLED, prefixes);
    policy.enabled(enabled);

    Found host = find(HOST, prefixes);
    Found targetNames = find(TARGETS, prefixes);
    if (host != null && targetNames != null) {
      throw new MirrorConfigException(targetNames.name(), "was " + targetNames.value()
          + ", must not be set together with " + host.name() + " (use one of them)");
    }
    if (host == null && targetNames == null && enabled) {
      throw new MirrorConfigException(own + "host", "is missing, must be set to the shadow's"
          + " scheme://host[:port] (or list " + own + "targets)");
    }
    Found ratioKey = find(SAMPLE_RATIO, prefixes);
    double ratio = ratioKey == null ? 1.0 : SAMPLE_RATIO.parse(ratioKey.name(), ratioKey.value());
    String sticky = value(STICKY_KEY, prefixes);
    // Printed whether given or not: toProperties() shows every value explicit.
    given.put(printed + SAMPLE_RATIO.suffix(), String.valueOf(ratio));
    if (sticky != null) {
      given.put(printed + STICKY_KEY.suffix(), sticky);
    }
    Found requireHttps = find(REQUIRE_HTTPS, prefixes);
    boolean httpsOnly = requireHttps != null
        && REQUIRE_HTTPS.parse(requireHttps.name(), requireHttps.value());
    given.put(printed + REQUIRE_HTTPS.suffix(), String.valueOf(httpsOnly));

    List<String> names = targetNames == null ? List.of()
        : TARGETS.parse(targetNames.name(), targetNames.value());
    List<Found> hosts = new ArrayList<>();
    if (host != null) {
      hosts.add(host);
    }
    for (String targetName : names) {
      Found targetHost = find(HOST, List.of(own + "target." + targetName + "."));
      if (targetHost == null) {
        throw new MirrorConfigException(own + "target." + targetName + ".host",
            "is missing, must be set for every target listed in " + targetNames.name());
      }
      hosts.add(targetHost);
    }
    if (httpsOnly) {
      for (Found address : hosts) {
        if (!address.value().startsWith("https://") && !address.value().startsWith("grpcs://")) {
          throw new MirrorConfigException(address.name(), address.value(),
              "an https:// or grpcs:// address, because " + requireHttps.name() + " is true");
        }
      }
    }
    if (host != null) {
      policy.target(target("default", host, prefixes, List.of(), ratio, sticky, null,
          printed + "target.default."));
    }
    for (int i = 0; i < names.size(); i++) {
      String targetName = names.get(i);
      List<String> targetPrefixes = List.of(own + "target." + targetName + ".");
      Found targetRatio = find(SAMPLE_RATIO, targetPrefixes);
      Double share = targetRatio == null ? null
          : SAMPLE_RATIO.parse(targetRatio.name(), targetRatio.value());
      if (share != null) {
        given.put(printed + "target." + targetName + "." + SAMPLE_RATIO.suffix(),
            String.valueOf(share));
      }
      policy.target(target(targetName, hosts.get(i), prefixes, targetPrefixes, ratio, sticky,
          share, printed + "target." + targetName + "."));
    }
    deadLetters(own, prefixes, host != null ? List.of("default") : names, host == null);
    policy.sampler(sampler(sticky, ratio));
    policy.filter(filter(prefixes));
    policy.rewrite(rewrite(prefixes));
    policy.maxBodyBytes(value(MAX_BODY_BYTES, prefixes));
    policy.mode(value(SYNCHRONOUS, prefixes) ? MirrorMode.SYNCHRONOUS : MirrorMode.ASYNCHRONOUS);
    policy.logResponses(value(LOG_RESPONSES, prefixes));
    policy.markerHeader(value(MARKER_HEADER, prefixes));
    policy.comparison(comparison(own, prefixes, host != null ? List.of("default") : names,
        host == null));
    try {
      return policy.build();
    } catch (IllegalStateException e) {
      throw new MirrorConfigException(own + "targets", e.getMessage());
    }
  }

  /**
   * Checks each target's dead letter: another target of the same policy, which has none itself
   * (dead letters do not chain); the error names the key that set it.
   */
  private void deadLetters(String own, List<String> prefixes, List<String> targetNames,
      boolean listed) {
    Map<String, Found> set = new LinkedHashMap<>();
    for (String target : targetNames) {
      List<String> targetPrefixes = new ArrayList<>();
      if (listed) {
        targetPrefixes.add(own + "target." + target + ".");
      }
      targetPrefixes.addAll(prefixes);
      Found found = find(DEAD_LETTER, targetPrefixes);
      if (found != null) {
        set.put(target, found);
      }
    }
    for (Map.Entry<String, Found> e : set.entrySet()) {
      Found found = e.getValue();
      if (!targetNames.contains(found.value())) {
        throw new MirrorConfigException(found.name(), found.value(),
            "the name of another target of the policy " + targetNames);
      }
      if (set.containsKey(found.value())) {
        throw new MirrorConfigException(found.name(), found.value(), "a target without a dead"
            + " letter of its own (" + set.get(found.value()).name() + " is set): dead letters do"
            + " not chain");
      }
    }
  }

  /**
   * Reads the comparison keys: {@code compare} per target (or for all, at the policy's level; the
   * baseline is never a candidate), the rest per policy.
   *
   * @param listed true if the targets were listed ({@code targets}), so have keys of their own
   */
  private Comparison comparison(String own, List<String> prefixes, List<String> targetNames,
      boolean listed) {
    Found baselineKey = find(COMPARE_BASELINE, prefixes);
    String baseline = baselineKey == null ? null
        : COMPARE_BASELINE.parse(baselineKey.name(), baselineKey.value());
    if (baseline != null && !targetNames.contains(baseline)) {
      throw new MirrorConfigException(baselineKey.name(), baseline, "one of the policy's targets "
          + targetNames);
    }
    Set<String> compared = new LinkedHashSet<>();
    for (String target : targetNames) {
      List<String> targetPrefixes = new ArrayList<>();
      if (listed) {
        targetPrefixes.add(own + "target." + target + ".");
      }
      targetPrefixes.addAll(prefixes);
      if (value(COMPARE, targetPrefixes) && !target.equals(baseline)) {
        compared.add(target);
      }
    }
    return Comparison.builder()
        .targets(compared)
        .baseline(baseline)
        .maxBodyBytes(value(COMPARE_MAX_BODY_BYTES, prefixes))
        .headers(value(COMPARE_HEADERS, prefixes))
        .ignoreHeaders(value(COMPARE_IGNORE_HEADERS, prefixes))
        .ignorePaths(orEmpty(value(COMPARE_IGNORE_PATHS, prefixes)))
        .relativeThreshold(fraction(value(COMPARE_RELATIVE_THRESHOLD, prefixes)))
        .absoluteThreshold(fraction(value(COMPARE_ABSOLUTE_THRESHOLD, prefixes)))
        .maxPending(value(COMPARE_MAX_PENDING, prefixes))
        .timeout(value(COMPARE_TIMEOUT, prefixes))
        .build();
  }

  /** A percentage as a fraction, in decimal: 0.03 gives exactly the double nearest 0.0003. */
  private static double fraction(double percent) {
    return java.math.BigDecimal.valueOf(percent).movePointLeft(2).doubleValue();
  }

  private static List<String> orEmpty(List<String> list) {
    return list == null ? List.of() : list;
  }

  private static Sampler sampler(String sticky, double ratio) {
    if (sticky == null) {
      return Sampler.ratio(ratio);
    }
    String name = sticky.substring(sticky.indexOf(':') + 1);
    return sticky.startsWith("header:") ? Sampler.stickyHeader(name, ratio)
        : Sampler.stickyCookie(name, ratio);
  }

  private MirrorTarget target(String name, Found host, List<String> policyPrefixes,
      List<String> targetPrefixes, double policyRatio, String sticky, Double targetRatio,
      String printed) {
    MirrorTarget.Builder target = MirrorTarget.builder(name, HOST.parse(host.name(), host.value()));
    List<String> prefixes = new ArrayList<>(targetPrefixes);
    prefixes.addAll(policyPrefixes);
    target.connectTimeout(value(CONNECT_TIMEOUT, prefixes));
    target.readTimeout(value(READ_TIMEOUT, prefixes));
    target.maxInFlight(value(MAX_IN_FLIGHT, prefixes));
    target.maxInFlightBytes(value(MAX_IN_FLIGHT_BYTES, prefixes));
    target.rateLimit(value(RATE_LIMIT, prefixes));
    HostHeader hostHeader = value(HOST_HEADER, prefixes);
    target.hostHeader(hostHeader);
    HttpVersion version = value(HTTP_VERSION, prefixes);
    if (version == HttpVersion.H2C) {
      String key = find(HTTP_VERSION, prefixes).name();
      if (!transportName.equals("jetty")) {
        throw new MirrorConfigException(key, "h2c", "HTTP/1.1 or HTTP/2 with transport "
            + transportName + " (h2c, HTTP/2 with prior knowledge, comes with"
            + " mirror.transport=jetty, module mirror-transport-jetty)");
      }
      if (!host.value().startsWith("http://")) {
        throw new MirrorConfigException(key, "h2c", "HTTP/2 for an https:// target (h2c is"
            + " cleartext)");
      }
    }
    target.httpVersion(version);
    target.failureThreshold(value(FAILURE_THRESHOLD, prefixes));
    target.coolDown(value(COOL_DOWN, prefixes));
    target.retry(new RetryPolicy(value(RETRY_ATTEMPTS, prefixes), value(RETRY_BACKOFF, prefixes),
        value(RETRY_MAX_PENDING, prefixes), value(RETRY_IDEMPOTENT_TIMEOUTS, prefixes)));
    Found deadLetter = find(DEAD_LETTER, prefixes);
    if (deadLetter != null) {
      String to = DEAD_LETTER.parse(deadLetter.name(), deadLetter.value());
      if (to.equals(name)) {
        throw new MirrorConfigException(deadLetter.name(), to, "another target of the policy than "
            + name + " itself (set it on the target whose copies go there)");
      }
      target.deadLetter(new DeadLetter(to, new LinkedHashSet<>(value(DEAD_LETTER_ON, prefixes))));
    }
    tls(target, host, prefixes, printed);
    target.headers(targetHeaders(prefixes));
    if (targetRatio != null) {
      // Nested with a sticky policy: the same users, a share of them, so decisions stay sticky.
      double share = policyRatio * targetRatio;
      target.sampler(sticky == null ? Sampler.ratio(targetRatio)
          : sampler(sticky, Math.max(Sampler.MIN_RATIO, share)));
    }
    return target.build();
  }

  /**
   * Reads the {@code tls.*} keys of a target; an https or grpcs target with any of them gets a
   * context.
   */
  private void tls(MirrorTarget.Builder target, Found host, List<String> prefixes,
      String printed) {
    Map<String, String> values = new TreeMap<>();
    Map<String, String> names = new TreeMap<>();
    for (ConfigKey<?> key : TLS_KEYS) {
      Found found = find(key, prefixes);
      if (found != null) {
        Object parsed = key.parse(found.name(), found.value());
        String value = parsed instanceof String text ? text : found.value();
        values.put(key.suffix(), value);
        names.put(key.suffix(), found.name());
        given.put(printed + key.suffix(), value);
      } else if (key.defaultValue() != null) {
        values.put(key.suffix(), key.defaultValue());
      }
    }
    if (!names.isEmpty()) {
      // A target with TLS settings shows every one explicit, defaults included.
      for (ConfigKey<?> key : TLS_KEYS) {
        if (!names.containsKey(key.suffix()) && key.defaultValue() != null) {
          given.put(printed + key.suffix(), key.defaultValue());
        }
      }
    }
    boolean grpcs = host.value().startsWith("grpcs://");
    if (names.isEmpty() || !(host.value().startsWith("https://") || grpcs)) {
      return;
    }
    TlsMaterial.Settings settings = new TlsMaterial.Settings(values, names);
    if (!ConfigCatalog.bool(values.get(TLS_VERIFY_HOSTNAME.suffix())) && grpcs) {
      throw new MirrorConfigException(settings.name(TLS_VERIFY_HOSTNAME.suffix()), "false",
          "true for a grpcs:// target (gRPC's transport always verifies the host name)");
    }
    boolean verify = ConfigCatalog.bool(values.get(TLS_VERIFY_HOSTNAME.suffix()));
    if (!verify && values.get(TLS_CA_FILE.suffix()) == null
        && values.get(TLS_TRUST_STORE.suffix()) == null) {
      // Without host names checked, any certificate the trust anchors signed is accepted: with
      // the JVM's public CAs, anyone's. Only a private anchor makes that a small set.
      throw new MirrorConfigException(settings.name(TLS_VERIFY_HOSTNAME.suffix()), "false",
          "true unless " + TLS_CA_FILE.name() + " or " + TLS_TRUST_STORE.name()
              + " names a private trust anchor");
    }
    if (!verify) {
      LOG.warn("mirror: {} is false: copies to {} accept any certificate the private trust"
          + " anchor signed, whatever host name it names", settings.name(
              TLS_VERIFY_HOSTNAME.suffix()), host.value());
    }
    if (!verify && !transportName.equals(NioHttpTransport.NAME)) {
      throw new MirrorConfigException(settings.name(TLS_VERIFY_HOSTNAME.suffix()), "false",
          "true with transport " + transportName + " (only the default transport, nio, can"
              + " leave host names unverified)");
    }
    target.sslContext(TlsMaterial.context(settings));
  }

  private RequestFilter filter(List<String> prefixes) {
    RequestFilter.Builder filter = RequestFilter.builder();
    List<String> methods = value(METHODS, prefixes);
    if (methods != null) {
      filter.methods(methods.toArray(new String[0]));
    }
    List<String> include = value(INCLUDE_PATHS, prefixes);
    if (include != null) {
      filter.includePaths(include.toArray(new String[0]));
    }
    List<String> exclude = value(EXCLUDE_PATHS, prefixes);
    if (exclude != null) {
      filter.excludePaths(exclude.toArray(new String[0]));
    }
    family(MATCH_HEADER, prefixes).forEach(filter::requireHeader);
    family(MATCH_COOKIE, prefixes).forEach(filter::requireCookie);
    family(MATCH_QUERY, prefixes).forEach(filter::requireQueryParameter);
    filter.matchMode(value(MATCH_MODE, prefixes));
    return filter.build();
  }

  private Rewrite rewrite(List<String> prefixes) {
    Rewrite.Builder rewrite = Rewrite.builder();
    PathMode pathMode = value(PATH_CONCAT_MODE, prefixes);
    String path = value(PATH, prefixes);
    if (path != null) {
      rewrite.path(path, pathMode);
    }
    List<String> remove = value(REMOVE_HEADERS, prefixes);
    if (remove != null) {
      rewrite.removeHeaders(remove.toArray(new String[0]));
    }
    List<String> mask = value(MASK_HEADERS, prefixes);
    if (mask != null) {
      rewrite.maskHeaders(mask.toArray(new String[0]));
    }
    rewrite.maskValue(value(MASK_VALUE, prefixes));
    family(SET_HEADER, prefixes).forEach(rewrite::setHeader);
    rewrite.redactCredentials(value(REDACT_CREDENTIALS, prefixes));
    List<String> cookies = value(REDACT_COOKIES, prefixes);
    if (cookies != null) {
      rewrite.redactCookies(cookies.toArray(new String[0]));
    }
    List<String> params = value(REDACT_QUERY_PARAMS, prefixes);
    if (params != null) {
      rewrite.redactQueryParams(params.toArray(new String[0]));
    }
    rewrite.redactMode(value(REDACT_MODE, prefixes));
    rewrite.scrubbing(scrubbing(prefixes));
    return rewrite.build();
  }

  private Scrubbing scrubbing(List<String> prefixes) {
    List<String> json = value(REDACT_JSON_FIELDS, prefixes);
    List<String> form = value(REDACT_FORM_FIELDS, prefixes);
    Found patterns = find(SCRUB_PATTERNS, prefixes);
    Map<String, String> custom = family(SCRUB_PATTERN, prefixes);
    List<String> names = patterns == null ? List.of()
        : SCRUB_PATTERNS.parse(patterns.name(), patterns.value());
    try {
      return new Scrubbing(json == null ? List.of() : json, form == null ? List.of() : form,
          names, custom, value(SCRUB_ON_FAILURE, prefixes));
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      throw new MirrorConfigException(patterns.name(), patterns.value(),
          message.substring(message.indexOf("must be ") + "must be ".length()));
    }
  }

  /** Collects {@code <prefix><family><name>=value} keys; the most specific prefix wins. */
  private Map<String, String> family(ConfigKey<String> key, List<String> prefixes) {
    Map<String, String> found = new LinkedHashMap<>();
    familyFound(key, prefixes).forEach((name, f) -> found.put(name, f.value()));
    return found;
  }

  /**
   * Collects {@code <prefix><family><name>=value} keys with the key each was found under, the
   * value parsed; the most specific prefix wins.
   */
  private Map<String, Found> familyFound(ConfigKey<String> key, List<String> prefixes) {
    Map<String, Found> found = new LinkedHashMap<>();
    for (String prefix : withSuffix(prefixes, key.suffix())) {
      for (Map.Entry<String, String> e : all.tailMap(prefix).entrySet()) {
        if (!e.getKey().startsWith(prefix)) {
          break;
        }
        String name = e.getKey().substring(prefix.length());
        if (name.isEmpty() || !NAME.matcher(name).matches()) {
          throw new MirrorConfigException(e.getKey(), "has no valid name after " + prefix
              + ", must be " + prefix + "<name> with a header or cookie name");
        }
        used.add(e.getKey());
        found.putIfAbsent(name, new Found(e.getKey(), key.parse(e.getKey(), e.getValue())));
      }
    }
    return found;
  }

  /**
   * Reads a target's own header changes: {@code headers.keep}, {@code headers.remove}, {@code headers.mask}, {@code
   * headers.set.<name>} and {@code headers.set-file.<name>} (the value is the file's first line,
   * read here, once: a runtime change may not name such a file, see {@link RuntimeLimits}).
   */
  private TargetHeaders targetHeaders(List<String> prefixes) {
    List<String> keep = value(TARGET_KEEP_HEADERS, prefixes);
    List<String> remove = value(TARGET_REMOVE_HEADERS, prefixes);
    List<String> mask = value(TARGET_MASK_HEADERS, prefixes);
    Map<String, Found> set = familyFound(TARGET_SET_HEADER, prefixes);
    Map<String, Found> files = familyFound(TARGET_SET_HEADER_FILE, prefixes);
    if (keep == null && remove == null && mask == null && set.isEmpty() && files.isEmpty()) {
      return TargetHeaders.none();
    }
    // In order of name, as printed: a value read from a file prints as one set, and parses back
    // to equal headers.
    Map<String, String> values = new TreeMap<>();
    for (Map.Entry<String, Found> e : set.entrySet()) {
      Found file = files.get(e.getKey());
      if (file != null) {
        throw new MirrorConfigException(file.name(), "must not be set together with "
            + e.getValue().name() + " (use one of them)");
      }
      values.put(e.getKey(), e.getValue().value());
    }
    for (Map.Entry<String, Found> e : files.entrySet()) {
      values.put(e.getKey(), headerFromFile(e.getValue()));
    }
    Headers.Builder headers = Headers.builder();
    values.forEach(headers::set);
    return new TargetHeaders(keep == null ? List.of() : keep, remove == null ? List.of() : remove,
        mask == null ? List.of() : mask, headers.build());
  }

  /** The first line of a header value's file, stripped; never shown in a message. */
  private static String headerFromFile(Found file) {
    String path = file.value();
    String text;
    try {
      Path source = Path.of(path);
      if (!Files.isRegularFile(source)) {
        throw new MirrorConfigException(file.name(), path, "a readable regular file");
      }
      byte[] bytes;
      try (InputStream in = Files.newInputStream(source)) {
        bytes = in.readNBytes(MAX_HEADER_FILE_BYTES + 1);
      }
      if (bytes.length > MAX_HEADER_FILE_BYTES) {
        throw new MirrorConfigException(file.name(), path, "a file of at most "
            + MAX_HEADER_FILE_BYTES + " bytes");
      }
      text = new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException | InvalidPathException e) {
      throw new MirrorConfigException(file.name(), path, "a readable regular file ("
          + e.getClass().getSimpleName() + ")");
    }
    int end = text.indexOf('\n');
    String value = (end < 0 ? text : text.substring(0, end)).strip();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f) {
        // The value is never shown: only the rule it broke.
        throw new MirrorConfigException(file.name(), "holds a control character, must hold a"
            + " header value on its first line");
      }
    }
    if (value.isEmpty()) {
      throw new MirrorConfigException(file.name(), "holds an empty first line, must hold a"
          + " header value on its first line");
    }
    return value;
  }
}
