package dev.mirror.core;

import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTransportProvider;
import dev.mirror.core.config.ConfigCatalog;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.internal.marker.LoopMarker;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.SortedMap;

/**
 * Mirroring configured from flat string keys: the one parser behind web.xml init-params, JAX-RS
 * properties, system properties and {@code .properties} files.
 *
 * <p>The simplest configuration is one key, {@code mirror.host=http://staging:8080}. Keys for a
 * target ({@code mirror.timeout.read}, ...) may be given at the top, for a policy
 * ({@code mirror.policy.<p>.timeout.read}) or for one target ({@code mirror.target.<t>.timeout.read}
 * or {@code mirror.policy.<p>.target.<t>.timeout.read}); the most specific wins. Keys not starting
 * with {@code mirror.}, and those under {@code mirror.admin.} (the admin endpoint's), are ignored;
 * an unknown {@code mirror.} key is an error. Every key, its
 * scope, default and rule is in the {@link ConfigCatalog} (and README.md's table, checked against
 * it); peers' spellings are accepted where they differ (APISIX's {@code sample_ratio}, the seed
 * gateway's {@code percentage}).
 *
 * <p>{@link #toProperties()} prints a configuration back as keys that parse to an equal one.
 *
 * <p>Every error is a {@link MirrorConfigException} naming the key, the value and what is allowed.
 */
public final class MirrorConfig {

  /** Prefix of every key: {@value}. */
  public static final String PREFIX = ConfigCatalog.PREFIX;

  private final List<MirrorPolicy> policies;
  private final int dispatchThreads;
  private final Duration closeTimeout;
  /** The transport's provider, found by {@code mirror.transport}. */
  private final MirrorTransportProvider transport;
  /** Keys whose effect the policies do not show (how samplers were made, checks), as given. */
  private final Map<String, String> given;

  /** The {@code mirror.<transport>.*} settings, by transport name, without the prefix. */
  private final Map<String, Map<String, String>> transportSettings;

  /** {@code mirror.marker-secret} (or its file's), or null. Never shown. */
  private final String markerSecret;

  MirrorConfig(List<MirrorPolicy> policies, int dispatchThreads, Duration closeTimeout,
      MirrorTransportProvider transport, Map<String, String> given,
      Map<String, Map<String, String>> transportSettings, String markerSecret) {
    this.markerSecret = markerSecret;
    this.transportSettings = Map.copyOf(transportSettings);
    this.policies = List.copyOf(policies);
    this.dispatchThreads = dispatchThreads;
    this.closeTimeout = closeTimeout;
    this.transport = transport;
    this.given = Map.copyOf(given);
  }

  /**
   * Parses flat keys; keys without the {@code mirror.} prefix are ignored.
   *
   * @throws MirrorConfigException naming the key for any invalid, unknown or conflicting key
   */
  public static MirrorConfig parse(Map<String, String> properties) {
    Objects.requireNonNull(properties, "properties");
    return new ConfigParser(properties).parse();
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

  /** The fleet's marker secret, or null: package-private, never shown. */
  String markerSecret() {
    return markerSecret;
  }

  /** The addresses of {@code mirror.allowed-targets}, as written; empty if none. */
  List<String> allowedTargets() {
    String listed = given.get(ConfigCatalog.ALLOWED_TARGETS.name());
    return listed == null ? List.of() : ConfigCatalog.list(listed);
  }

  /** The {@code mirror.<transport>.*} settings, by transport name, without the prefix. */
  Map<String, Map<String, String>> transportSettings() {
    return transportSettings;
  }

  /** {@code mirror.control}, or null. */
  java.net.URI control() {
    String address = given.get(ConfigCatalog.CONTROL.name());
    return address == null ? null : java.net.URI.create(address);
  }

  /** {@code mirror.control.timeout}, or its default. */
  Duration controlTimeout() {
    String timeout = given.get(ConfigCatalog.CONTROL_TIMEOUT.name());
    return timeout == null ? ConfigCatalog.CONTROL_TIMEOUT.parseDefault()
        : ConfigCatalog.CONTROL_TIMEOUT.parse(ConfigCatalog.CONTROL_TIMEOUT.name(), timeout);
  }

  /** {@code mirror.control.replica}, or null. */
  String controlReplica() {
    return given.get(ConfigCatalog.CONTROL_REPLICA.name());
  }

  /** The {@code mirror.control.<store>.*} settings, without that prefix. */
  Map<String, String> controlSettings(String store) {
    String prefix = ConfigCatalog.CONTROL.name() + "." + store + ".";
    Map<String, String> settings = new java.util.TreeMap<>();
    given.forEach((key, value) -> {
      if (key.startsWith(prefix)) {
        settings.put(key.substring(prefix.length()), value);
      }
    });
    return settings;
  }

  /** {@code mirror.config-file}, or null. */
  Path configFile() {
    String file = given.get(ConfigCatalog.CONFIG_FILE.name());
    return file == null ? null : Path.of(file);
  }

  /** Engine keys that are each replica's own, never shared through a control store. */
  private static final java.util.Set<String> OWN_KEYS = java.util.Set.of(
      ConfigCatalog.DISPATCH_THREADS.name(), ConfigCatalog.CLOSE_TIMEOUT.name(),
      ConfigCatalog.TRANSPORT.name(), ConfigCatalog.PIPELINING.name(),
      ConfigCatalog.MAX_CONNECTIONS.name(), ConfigCatalog.MARKER_SECRET.name(),
      ConfigCatalog.MARKER_SECRET_FILE.name(), ConfigCatalog.ALLOWED_TARGETS.name(),
      ConfigCatalog.CONTROL.name(), ConfigCatalog.CONFIG_FILE.name());

  /**
   * True for a key each replica keeps for itself (how it sends, its secrets, its limits, its
   * store's credentials): the engine keys but {@code mirror.policies}, the {@code
   * mirror.<transport>.*} and {@code mirror.control.*} keys.
   */
  static boolean ownKey(String key, java.util.Set<String> transports) {
    if (OWN_KEYS.contains(key) || key.startsWith(ConfigCatalog.CONTROL.name() + ".")) {
      return true;
    }
    for (String transport : transports) {
      if (key.startsWith(PREFIX + transport + ".")) {
        return true;
      }
    }
    return false;
  }

  /** Splits {@link #toProperties()}: the replica's own keys ({@code own}) or the others. */
  SortedMap<String, String> keys(boolean own) {
    SortedMap<String, String> keys = toProperties();
    java.util.Set<String> transports = dev.mirror.core.internal.TransportProviders.all().keySet();
    keys.keySet().removeIf(key -> own != ownKey(key, transports));
    return keys;
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
        .ownedTransport(transport.create(transportSettings.getOrDefault(transport.name(),
            Map.of())))
        .transportSettings(transportSettings)
        .loopMarker(LoopMarker.of(markerSecret))
        .config(this);
  }

  /** Returns a new engine for this configuration. */
  public MirrorEngine newEngine() {
    return engineBuilder().build();
  }

  /**
   * Returns this configuration as flat keys, every value explicit and every key at its most
   * specific place ({@code mirror.policy.<p>.target.<t>.timeout.read}), sorted by name. Parsing
   * them gives a configuration equal to this one.
   */
  public SortedMap<String, String> toProperties() {
    return ConfigPrinter.print(this, given);
  }

  /** Equal when the policies, engine settings and transport are. */
  @Override
  public boolean equals(Object other) {
    return other instanceof MirrorConfig that
        && policies.equals(that.policies)
        && dispatchThreads == that.dispatchThreads
        && closeTimeout.equals(that.closeTimeout)
        && transport.name().equals(that.transport.name())
        && given.equals(that.given);
  }

  @Override
  public int hashCode() {
    return Objects.hash(policies, dispatchThreads, closeTimeout, transport.name(), given);
  }

  /** Shows every key as {@link #toProperties()} does, secrets masked (see {@link ConfigCatalog#isSecret}). */
  @Override
  public String toString() {
    SortedMap<String, String> shown = toProperties();
    shown.replaceAll((key, value) -> ConfigCatalog.isSecret(key) ? ConfigCatalog.SECRET_SHOWN
        : value);
    return "MirrorConfig" + shown;
  }
}
