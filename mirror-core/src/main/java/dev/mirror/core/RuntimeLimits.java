package dev.mirror.core;

import static dev.mirror.core.config.ConfigCatalog.*;

import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.Rewrite;
import dev.mirror.api.Scrubbing;
import dev.mirror.core.config.MirrorConfigException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;

/**
 * What a change made while the engine runs may do, fixed by the configuration it started with:
 * the bounds the runtime control endpoint holds every change to, so that its token is a key to
 * mirroring and not to the network, the disk or the safeguards.
 *
 * <ul>
 *   <li><b>Where copies go</b>: a target's scheme, host and port must be those of a start-up
 *       target (any policy's) or of an address listed in {@code mirror.allowed-targets}; a
 *       {@code file://} directory and a {@code kafka://} bootstrap likewise. Nothing else:
 *       not {@code 169.254.169.254}, not a port of the loopback interface.
 *   <li><b>What is read</b>: TLS files ({@code mirror.tls.*-file}, {@code trust-store}, {@code
 *       key-store}) only at paths the start-up configuration names; checked on the keys, before
 *       any file is opened ({@link #checkKeys(Map)}).
 *   <li><b>Safeguards</b> may be tightened, never relaxed below their start-up setting: {@code
 *       redact-credentials}, the headers masked or removed, the cookies, query parameters, JSON
 *       and form fields redacted, the scrub detectors (a custom one keeps its expression), {@code
 *       scrub-on-failure=drop}, {@code require-https}, {@code tls.verify-hostname}, {@code
 *       tls.protocols}, the methods mirrored, and the limits {@code max-body-bytes}, {@code
 *       compare.max-body-bytes} and {@code max-in-flight-bytes}. A policy or target that did not
 *       exist at start-up is held to the strictest of its policy's start-up targets.
 * </ul>
 *
 * <p>Every refusal is a {@link MirrorConfigException} naming the key as the change wrote it
 * ({@code mirror.policy.<p>.target.<t>.host}, {@code mirror.policy.<p>.redact-credentials}), the
 * value and the rule. Changes made in code ({@link MirrorEngine#reconfigure(MirrorConfig)}) are
 * the application's own and are not held to these bounds; the endpoint applies them. With a
 * control store ({@code mirror.control}) every change is: each replica holds what it reads from
 * the store to its own bounds, whoever wrote it, and a change from code is checked before it is
 * written.
 */
public final class RuntimeLimits {

  /** The rule a relaxed safeguard broke, after what it had to be. */
  private static final String TIGHTEN_ONLY = "as at start-up (a runtime change may tighten a"
      + " safeguard, never relax it)";

  /** The TLS keys naming files. */
  private static final List<String> TLS_FILE_SUFFIXES = List.of(TLS_TRUST_STORE.suffix(),
      TLS_TRUST_STORE_PASSWORD_FILE.suffix(), TLS_KEY_STORE.suffix(),
      TLS_KEY_STORE_PASSWORD_FILE.suffix(), TLS_CA_FILE.suffix(), TLS_CERT_FILE.suffix(),
      TLS_KEY_FILE.suffix());

  private final Set<String> addresses = new HashSet<>();
  private final Set<String> directories = new HashSet<>();
  private final Set<String> tlsFiles = new HashSet<>();
  private final List<MirrorPolicy> policies;
  private final SortedMap<String, String> keys;

  private RuntimeLimits(MirrorConfig startup) {
    this.policies = startup.policies();
    this.keys = startup.toProperties();
    for (MirrorPolicy policy : policies) {
      for (MirrorTarget target : policy.targets()) {
        allow(target.address());
      }
    }
    startup.allowedTargets().forEach(this::allow);
    for (Map.Entry<String, String> e : keys.entrySet()) {
      if (tlsFileKey(e.getKey())) {
        String path = normalPath(e.getValue());
        if (path != null) {
          tlsFiles.add(path);
        }
      }
    }
  }

  /** Returns the bounds set by this start-up configuration. */
  public static RuntimeLimits of(MirrorConfig startup) {
    return new RuntimeLimits(Objects.requireNonNull(startup, "startup"));
  }

  private void allow(String address) {
    MirrorTarget target = MirrorTarget.builder("allowed", address).build();
    if (target.directory() != null) {
      String directory = normalPath(target.directory());
      if (directory != null) {
        directories.add(directory);
      }
    } else {
      addresses.add(origin(target));
    }
  }

  /** A target's scheme, host and port, the port explicit, the host in lower case. */
  private static String origin(MirrorTarget target) {
    return target.scheme() + "://" + target.host().toLowerCase(Locale.ROOT) + ":" + target.port();
  }

  private static String normalPath(String path) {
    try {
      return Path.of(path).toAbsolutePath().normalize().toString();
    } catch (InvalidPathException e) {
      return null;
    }
  }

  private static boolean tlsFileKey(String key) {
    for (String suffix : TLS_FILE_SUFFIXES) {
      if (key.equals(MirrorConfig.PREFIX + suffix) || key.endsWith("." + suffix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Checks the flat keys of a change before they are parsed (parsing reads TLS files): every
   * TLS file key names a file the start-up configuration names.
   *
   * @throws MirrorConfigException naming the first key that names another file
   */
  public void checkKeys(Map<String, String> next) {
    for (Map.Entry<String, String> e : next.entrySet()) {
      if (e.getKey() != null && e.getKey().startsWith(MirrorConfig.PREFIX)
          && e.getKey().contains("." + TARGET_SET_HEADER_FILE.suffix())) {
        throw new MirrorConfigException(e.getKey(), String.valueOf(e.getValue()), "set at"
            + " start-up only (a"
            + " runtime change reads no file; " + TARGET_SET_HEADER.name() + " sets a value)");
      }
      if (e.getKey() != null && e.getKey().startsWith(MirrorConfig.PREFIX)
          && tlsFileKey(e.getKey()) && e.getValue() != null
          && !tlsFiles.contains(normalPath(e.getValue().trim()))) {
        throw new MirrorConfigException(e.getKey(), e.getValue(), "a file the start-up"
            + " configuration names for TLS material (a runtime change reads no other file)");
      }
    }
  }

  /**
   * Checks a parsed change against the start-up bounds.
   *
   * @throws MirrorConfigException naming the first key that goes beyond them
   */
  public void check(MirrorConfig next) {
    Objects.requireNonNull(next, "next");
    SortedMap<String, String> nextKeys = next.toProperties();
    checkKeys(nextKeys);
    for (MirrorPolicy policy : next.policies()) {
      String p = "mirror.policy." + policy.name() + ".";
      MirrorPolicy before = startupPolicy(policy.name());
      for (MirrorTarget target : policy.targets()) {
        checkAddress(p + "target." + target.name() + ".", target);
      }
      if (before == null) {
        continue; // endpoint changes never add policies (mirror.policies is an engine key)
      }
      checkRewrite(p, before.rewrite(), policy.rewrite());
      checkPolicy(p, before, policy, nextKeys);
      for (MirrorTarget target : policy.targets()) {
        checkTarget(p, before, target, nextKeys);
      }
    }
  }

  private MirrorPolicy startupPolicy(String name) {
    for (MirrorPolicy policy : policies) {
      if (policy.name().equals(name)) {
        return policy;
      }
    }
    return null;
  }

  private void checkAddress(String t, MirrorTarget target) {
    if (target.directory() != null) {
      if (!directories.contains(normalPath(target.directory()))) {
        throw new MirrorConfigException(t + HOST.suffix(), target.address(), "a directory the"
            + " start-up configuration captures to, or one listed in " + ALLOWED_TARGETS.name());
      }
      return;
    }
    if (!addresses.contains(origin(target))) {
      throw new MirrorConfigException(t + HOST.suffix(), target.address(), "the scheme, host and"
          + " port of a start-up target, or of an address listed in " + ALLOWED_TARGETS.name());
    }
  }

  private static void checkRewrite(String p, Rewrite before, Rewrite after) {
    if (before.redactCredentials() && !after.redactCredentials()) {
      throw new MirrorConfigException(p + REDACT_CREDENTIALS.suffix(), "false",
          "true, " + TIGHTEN_ONLY);
    }
    Set<String> hidden = lower(after.maskHeaders());
    hidden.addAll(lower(after.removeHeaders()));
    keptHidden(p + MASK_HEADERS.suffix(), before.maskHeaders(), hidden, after.maskHeaders());
    keptHidden(p + REMOVE_HEADERS.suffix(), before.removeHeaders(), hidden,
        after.removeHeaders());
    contains(p + REDACT_COOKIES.suffix(), before.redactCookies(), after.redactCookies());
    contains(p + REDACT_QUERY_PARAMS.suffix(), before.redactQueryParams(),
        after.redactQueryParams());
    Scrubbing was = before.scrubbing();
    Scrubbing is = after.scrubbing();
    contains(p + REDACT_JSON_FIELDS.suffix(), was.jsonFields(), is.jsonFields());
    contains(p + REDACT_FORM_FIELDS.suffix(), was.formFields(), is.formFields());
    contains(p + SCRUB_PATTERNS.suffix(), was.patterns(), is.patterns());
    for (String name : was.patterns()) {
      String expression = was.customPatterns().get(name);
      if (expression != null && !expression.equals(is.customPatterns().get(name))) {
        String now = is.customPatterns().get(name);
        throw new MirrorConfigException(p + SCRUB_PATTERN.suffix() + name,
            now == null ? "" : now, "the expression it had at start-up, " + TIGHTEN_ONLY);
      }
    }
    if (!was.sendUnscrubbable() && is.sendUnscrubbable()) {
      throw new MirrorConfigException(p + SCRUB_ON_FAILURE.suffix(), "send",
          "drop, " + TIGHTEN_ONLY);
    }
  }

  /** A header masked or removed at start-up stays masked or removed (either will do). */
  private static void keptHidden(String key, List<String> before, Set<String> hidden,
      List<String> after) {
    for (String name : before) {
      if (!hidden.contains(name.toLowerCase(Locale.ROOT))) {
        throw new MirrorConfigException(key, String.join(",", after), "a list that still hides "
            + name + " (masked or removed), " + TIGHTEN_ONLY);
      }
    }
  }

  private static void contains(String key, List<String> before, List<String> after) {
    for (String item : before) {
      if (!after.contains(item)) {
        throw new MirrorConfigException(key, String.join(",", after), "a list that still holds "
            + item + ", " + TIGHTEN_ONLY);
      }
    }
  }

  private static Set<String> lower(Collection<String> names) {
    Set<String> out = new LinkedHashSet<>();
    for (String name : names) {
      out.add(name.toLowerCase(Locale.ROOT));
    }
    return out;
  }

  private void checkPolicy(String p, MirrorPolicy before, MirrorPolicy after,
      SortedMap<String, String> nextKeys) {
    if (requiresHttps(keys, p) && !requiresHttps(nextKeys, p)) {
      throw new MirrorConfigException(p + REQUIRE_HTTPS.suffix(), "false",
          "true, " + TIGHTEN_ONLY);
    }
    if (after.maxBodyBytes() > before.maxBodyBytes()) {
      throw new MirrorConfigException(p + MAX_BODY_BYTES.suffix(),
          String.valueOf(after.maxBodyBytes()), "at most " + before.maxBodyBytes() + ", "
              + TIGHTEN_ONLY);
    }
    if (after.comparison().maxBodyBytes() > before.comparison().maxBodyBytes()) {
      throw new MirrorConfigException(p + COMPARE_MAX_BODY_BYTES.suffix(),
          String.valueOf(after.comparison().maxBodyBytes()), "at most "
              + before.comparison().maxBodyBytes() + ", " + TIGHTEN_ONLY);
    }
    Set<String> methodsBefore = upper(before.filter().methods());
    Set<String> methodsAfter = upper(after.filter().methods());
    if (!methodsBefore.isEmpty()
        && (methodsAfter.isEmpty() || !methodsBefore.containsAll(methodsAfter))) {
      throw new MirrorConfigException(p + METHODS.suffix(),
          methodsAfter.isEmpty() ? "all" : String.join(",", methodsAfter),
          "some of " + String.join(",", methodsBefore) + ", " + TIGHTEN_ONLY);
    }
  }

  private static boolean requiresHttps(Map<String, String> keys, String p) {
    return "true".equals(keys.get(p + REQUIRE_HTTPS.suffix()));
  }

  private static Set<String> upper(Collection<String> methods) {
    Set<String> out = new java.util.TreeSet<>();
    for (String method : methods) {
      out.add(method.toUpperCase(Locale.ROOT));
    }
    return out;
  }

  /**
   * A target keeps its start-up safeguards; a new one gets the strictest of its policy's
   * start-up targets.
   */
  private void checkTarget(String p, MirrorPolicy before, MirrorTarget target,
      SortedMap<String, String> nextKeys) {
    String t = p + "target." + target.name() + ".";
    List<MirrorTarget> compared = new ArrayList<>();
    for (MirrorTarget old : before.targets()) {
      if (old.name().equals(target.name())) {
        compared.clear();
        compared.add(old);
        break;
      }
      compared.add(old);
    }
    boolean verify = bool(nextKeys.getOrDefault(t + TLS_VERIFY_HOSTNAME.suffix(), "true"));
    List<String> protocols = list(nextKeys.getOrDefault(t + TLS_PROTOCOLS.suffix(),
        TLS_PROTOCOLS.defaultValue()));
    for (MirrorTarget old : compared) {
      String o = p + "target." + old.name() + ".";
      if (!verify && bool(keys.getOrDefault(o + TLS_VERIFY_HOSTNAME.suffix(), "true"))) {
        throw new MirrorConfigException(t + TLS_VERIFY_HOSTNAME.suffix(), "false",
            "true, " + TIGHTEN_ONLY);
      }
      List<String> allowed = list(keys.getOrDefault(o + TLS_PROTOCOLS.suffix(),
          TLS_PROTOCOLS.defaultValue()));
      if (!allowed.containsAll(protocols)) {
        throw new MirrorConfigException(t + TLS_PROTOCOLS.suffix(), String.join(",", protocols),
            "some of " + String.join(",", allowed) + ", " + TIGHTEN_ONLY);
      }
      if (old.name().equals(target.name())) {
        // Sending a header as the client sent it is a start-up choice: a change may keep fewer.
        Set<String> keptBefore = lower(old.headers().keepHeaders());
        for (String name : target.headers().keepHeaders()) {
          if (!keptBefore.contains(name.toLowerCase(java.util.Locale.ROOT))) {
            throw new MirrorConfigException(t + TARGET_KEEP_HEADERS.suffix(),
                String.join(",", target.headers().keepHeaders()), "some of "
                    + old.headers().keepHeaders() + ", " + TIGHTEN_ONLY);
          }
        }
        // A header the target's copies hid at start-up stays hidden (masked or removed).
        Set<String> hidden = lower(target.headers().maskHeaders());
        hidden.addAll(lower(target.headers().removeHeaders()));
        keptHidden(t + TARGET_MASK_HEADERS.suffix(), old.headers().maskHeaders(), hidden,
            target.headers().maskHeaders());
        keptHidden(t + TARGET_REMOVE_HEADERS.suffix(), old.headers().removeHeaders(), hidden,
            target.headers().removeHeaders());
      }
      if (target.maxInFlightBytes() > old.maxInFlightBytes()) {
        throw new MirrorConfigException(t + MAX_IN_FLIGHT_BYTES.suffix(),
            String.valueOf(target.maxInFlightBytes()), "at most " + old.maxInFlightBytes() + ", "
                + TIGHTEN_ONLY);
      }
    }
  }
}
