package dev.mirror.core;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.MirrorDispatcher;
import dev.mirror.api.MirrorListener;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.Observation;
import dev.mirror.api.RequestView;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.config.ConfigCatalog;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.control.ControlChannelProvider;
import dev.mirror.core.control.ControlState;
import dev.mirror.core.control.ControlUnavailableException;
import dev.mirror.core.internal.control.ConfigFileWatch;
import dev.mirror.core.internal.control.ControlChannels;
import dev.mirror.core.internal.control.Fleet;
import dev.mirror.core.internal.compare.CompareWorker;
import dev.mirror.core.internal.compare.Comparisons;
import dev.mirror.core.internal.marker.LoopMarker;
import dev.mirror.core.stats.ComparisonReport;
import dev.mirror.core.stats.MirrorStats;
import dev.mirror.core.stats.PolicyStats;
import dev.mirror.core.transport.NioHttpTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mirroring engine: the {@link MirrorDispatcher} every entry point uses.
 *
 * <p>On the request thread it only decides and hands over: route to the first policy that takes
 * the request, check the loop marker, filter, sample, and take room at each target (circuit,
 * in-flight cap, rate limit). A "no" allocates nothing. Copies are composed and sent on the
 * transport's event loop (the default {@link NioHttpTransport}: one hand-off from the request
 * thread to the socket), or on a small fixed pool ({@code mirror-dispatch-N}) for a transport
 * without one. Each target holds at most its {@code maxInFlight} copies, so memory held by copies
 * stays under the sum of caps times the body limit. Whatever goes wrong is counted in {@link
 * #stats()} and never reaches the caller.
 *
 * <p>Inside, each job has its class: {@code Admission} decides, {@code Dispatch} hands over (and
 * waits in synchronous mode), {@code CopyRun} runs one copy, {@code Outcomes} counts how copies
 * end, {@code InFlight} lets close wait for them.
 *
 * <pre>{@code
 * MirrorEngine engine = MirrorEngine.builder()
 *     .policy(MirrorPolicy.to("http://staging.internal:8080").sampler(Sampler.ratio(0.1)).build())
 *     .build();
 * engine.submit(MirroredRequest.builder().method("GET").rawTarget("/search?q=a").build());
 * }</pre>
 */
public final class MirrorEngine implements MirrorDispatcher {

  /** Default number of dispatch threads, for transports without an event loop: {@value}. */
  public static final int DEFAULT_DISPATCH_THREADS = 2;

  /** Default time {@link #close()} waits for copies in flight, in milliseconds: {@value}. */
  public static final long DEFAULT_CLOSE_TIMEOUT_MILLIS = 5_000;

  private static final Logger LOG = LoggerFactory.getLogger(MirrorEngine.class);

  private final Admission admission;
  private final Transports transports;
  private final CompareWorker compareWorker = new CompareWorker();
  private final Dispatch dispatch;
  private final Outcomes outcomes;
  private final InFlight inFlight = new InFlight();
  private final Duration closeTimeout;
  private final int dispatchThreads;
  private final LongSupplier nanoTime;
  /** Serializes configuration changes; decisions never take it. */
  private final Object changes = new Object();
  /** The configuration in force, when the engine was made from one and changed only by one. */
  private volatile MirrorConfig config;
  /** What runtime changes through the endpoint may do: set by the start-up configuration. */
  private final RuntimeLimits limits;
  private volatile boolean closed;
  /** The control store's side of this replica ({@code mirror.control}), or null. */
  private final Fleet fleet;
  /** The watch of {@code mirror.config-file}, or null. */
  private final ConfigFileWatch fileWatch;
  /** The store's switch for the whole engine (its record's {@value #ENABLED}). */
  private volatile boolean fleetEnabled;
  /** Set once the store has been read to where it was at start: mirroring is held until then. */
  private volatile boolean caughtUp;
  /** Without a store: changes applied since start (-1 before any). */
  private volatile long localVersion = -1;
  /** Changes this engine could not apply (a file or a store record that did not validate). */
  private final AtomicLong refused = new AtomicLong();
  private volatile String lastError;

  /** The key of a store record holding the whole engine's switch ({@link #setEnabled(boolean)}). */
  private static final String ENABLED = "enabled";

  private MirrorEngine(Builder builder) {
    this.nanoTime = builder.nanoTime;
    this.config = builder.config;
    this.limits = builder.config == null ? null : RuntimeLimits.of(builder.config);
    this.dispatchThreads = builder.dispatchThreads;
    MirrorTransport transport = builder.transport == null ? NioHttpTransport.create()
        : builder.transport;
    this.transports = new Transports(transport, builder.transport == null || builder.ownsTransport,
        builder.transportSettings);
    PolicyRuntime[] policies;
    try {
      policies = runtimes(builder.policies, new PolicyRuntime[0]);
    } catch (RuntimeException e) {
      transports.close();
      throw e;
    }
    this.outcomes = new Outcomes(builder.listeners.toArray(new MirrorListener[0]), inFlight,
        nanoTime);
    this.admission = new Admission(policies, outcomes, inFlight, builder.enabled,
        builder.loopMarker, nanoTime);
    this.dispatch = new Dispatch(transports, builder.dispatchThreads, outcomes, nanoTime,
        builder.loopMarker);
    this.closeTimeout = builder.closeTimeout;
    sayWhereCredentialsGo(builder.policies);
    this.fleetEnabled = builder.enabled;
    MirrorConfig startup = builder.config;
    Fleet joined = null;
    ConfigFileWatch watch = null;
    try {
      if (startup != null && startup.control() != null) {
        admission.setEnabled(false); // held until the store has been read
        joined = joinFleet(startup);
      }
      if (startup != null && startup.configFile() != null) {
        watch = watch(startup.configFile());
      }
      if (joined != null) {
        startFleet(joined, startup);
      }
    } catch (RuntimeException | Error e) {
      if (joined != null) {
        joined.close();
      }
      this.fleet = null;
      this.fileWatch = null;
      close();
      throw e;
    }
    this.fleet = joined;
    this.fileWatch = watch;
  }

  /** Opens the store {@code mirror.control} names; reading starts in {@link #startFleet}. */
  private Fleet joinFleet(MirrorConfig startup) {
    java.net.URI address = startup.control();
    ControlChannelProvider provider = ControlChannels.forScheme(address.getScheme());
    if (provider == null) {
      throw new MirrorConfigException(ConfigCatalog.CONTROL.name(), address.toString(),
          "the address of a store on the class path (kafka comes with mirror-kafka)");
    }
    String replica = startup.controlReplica() != null ? startup.controlReplica() : hostName();
    return new Fleet(provider.open(address, startup.controlSettings(provider.name()),
        startup.controlTimeout()), replica, startup.controlTimeout(), new Fleet.Replica() {
          @Override
          public void apply(Map<String, String> keys, long version) {
            applyFromStore(keys);
          }

          @Override
          public void caughtUp() {
            caughtUp = true;
            admission.setEnabled(fleetEnabled);
          }
        });
  }

  /**
   * Reads the store: start-up waits up to {@code mirror.control.timeout} until it has been read to
   * its end; if it has not (the store is unreachable), the engine starts with mirroring held
   * (requests counted as disabled) and mirrors once it has.
   */
  private static void startFleet(Fleet fleet, MirrorConfig startup) {
    try {
      if (!fleet.start()) {
        LOG.warn("mirror fleet: the control store {} was not read to its end within {}:"
            + " mirroring is held until it is", startup.control(),
            ConfigCatalog.print(startup.controlTimeout()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String hostName() {
    String name = System.getenv("HOSTNAME");
    if (name != null && !name.isBlank()) {
      return name.trim();
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "replica-" + ProcessHandle.current().pid();
    }
  }

  private ConfigFileWatch watch(Path file) {
    try {
      return new ConfigFileWatch(file, keys -> reload(file, keys));
    } catch (IOException | RuntimeException e) {
      throw new MirrorConfigException(ConfigCatalog.CONFIG_FILE.name(), file.toString(),
          "a file in a directory that can be watched (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * A configuration read from the store: its shared keys over this replica's own, held to this
   * replica's runtime limits (a store is an input from the network, whoever wrote it), then
   * installed. Throws, with the reason, when it cannot be applied here.
   */
  private void applyFromStore(Map<String, String> record) {
    MirrorConfig startup = config;
    SortedMap<String, String> merged = startup.keys(true);
    boolean enabled = !"false".equals(record.get(ENABLED));
    java.util.Set<String> transports = dev.mirror.core.internal.TransportProviders.all().keySet();
    record.forEach((key, value) -> {
      if (key.startsWith(MirrorConfig.PREFIX) && !MirrorConfig.ownKey(key, transports)) {
        merged.put(key, value);
      }
    });
    if (limits != null) {
      limits.checkKeys(merged);
    }
    MirrorConfig next = MirrorConfig.parse(merged);
    if (limits != null) {
      limits.check(next);
    }
    synchronized (changes) {
      checkEngineKeys(next);
      install(next.policies());
      config = next;
    }
    fleetEnabled = enabled;
    if (caughtUp) {
      admission.setEnabled(enabled);
    }
  }

  /** A new content of {@code mirror.config-file}: applied as at start-up, or refused and counted. */
  private void reload(Path file, Map<String, String> keys) {
    try {
      if (keys == null) {
        throw new MirrorConfigException(ConfigCatalog.CONFIG_FILE.name(), file.toString(),
            "a readable .properties file");
      }
      SortedMap<String, String> merged = config.keys(true);
      merged.putAll(keys);
      MirrorConfig next = MirrorConfig.parse(merged);
      long version;
      synchronized (changes) {
        checkEngineKeys(next);
        install(next.policies());
        config = next;
        version = nextLocalVersion();
      }
      LOG.info("mirror: applied {} as configuration version {}", file, version);
    } catch (RuntimeException e) {
      refused.incrementAndGet();
      lastError = e.getMessage();
      String key = e instanceof MirrorConfigException m ? m.key() : ConfigCatalog.CONFIG_FILE.name();
      LOG.warn("mirror: {} was not applied ({}), the configuration in force stays (version {}):"
          + " {}", file, key, localVersion, e.getMessage());
      throw e;
    }
  }

  /**
   * Credentials are masked in copies unless a policy opts out: each that does is named once at
   * start-up, so an operator reading the log knows where clients' credentials go.
   */
  private static void sayWhereCredentialsGo(List<MirrorPolicy> policies) {
    for (MirrorPolicy policy : policies) {
      for (dev.mirror.api.MirrorTarget target : policy.targets()) {
        if (policy.enabled() && !target.headers().keepHeaders().isEmpty()) {
          LOG.warn("mirror policy {}: copies to {} carry {} as the clients sent them"
              + " (mirror.target.{}.headers.keep)", policy.name(), target.name(),
              target.headers().keepHeaders(), target.name());
        }
      }
      if (policy.enabled() && !policy.rewrite().redactCredentials()) {
        LOG.warn("mirror policy {}: copies carry the clients' credentials ({}) as received, to {}"
            + " (mirror.redact-credentials=false)", policy.name(),
            String.join(", ", dev.mirror.api.Rewrite.CREDENTIAL_HEADERS),
            policy.targets().stream().map(t -> t.name()).toList());
      }
    }
  }

  /** Returns a new builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the policies, in the order they are tried. */
  public List<MirrorPolicy> policies() {
    List<MirrorPolicy> out = new ArrayList<>();
    for (PolicyRuntime p : admission.policies()) {
      out.add(p.policy);
    }
    return List.copyOf(out);
  }

  private PolicyRuntime[] runtimes(List<MirrorPolicy> policies, PolicyRuntime[] previous) {
    Set<String> names = new HashSet<>();
    PolicyRuntime[] next = new PolicyRuntime[policies.size()];
    for (int i = 0; i < next.length; i++) {
      MirrorPolicy policy = policies.get(i);
      if (!names.add(policy.name())) {
        throw new IllegalArgumentException("policies: policy name " + policy.name()
            + " is used twice, must be unique");
      }
      PolicyRuntime before = null;
      for (PolicyRuntime p : previous) {
        if (p.policy.name().equals(policy.name())) {
          before = p;
        }
      }
      next[i] = new PolicyRuntime(policy, nanoTime, transports, compareWorker, before);
    }
    return next;
  }

  /**
   * Returns the configuration in force, if the engine was made from a {@link MirrorConfig} and
   * has been changed only through one since ({@link #reconfigure(MirrorConfig)}, {@link
   * #setEnabled(String, boolean)}); empty once a policy was replaced from code.
   */
  public Optional<MirrorConfig> config() {
    return Optional.ofNullable(config);
  }

  /**
   * Returns the bounds the start-up configuration sets to changes made at run time through the
   * control endpoint (where copies may go, what files may be read, which safeguards may not be
   * relaxed); empty for an engine built in code rather than from a {@link MirrorConfig}.
   */
  public Optional<RuntimeLimits> runtimeLimits() {
    return Optional.ofNullable(limits);
  }

  /**
   * Replaces every policy at once. A request decided before finishes under the settings it was
   * decided with; copies in flight go on; a policy or target that keeps its name keeps its
   * counters (and a target that keeps its address keeps its circuit). The engine's own settings
   * ({@code mirror.transport}, {@code mirror.dispatch-threads}, {@code mirror.close-timeout},
   * {@code mirror.control}, ...) cannot change while it runs.
   *
   * <p>An engine that answers to a control store ({@code mirror.control}) changes only through
   * it: the change is checked here (the engine keys, and the runtime limits every replica holds
   * a store's changes to), written to the store, applied by every replica in the store's order
   * (this one included), and this call returns once this engine has applied it; see {@link
   * #change(MirrorConfig)}, which also returns the version.
   *
   * @throws MirrorConfigException naming the engine key that differs (or, with a store, the
   *     field a runtime limit refuses)
   * @throws ControlUnavailableException with a store, if it did not take the change in time
   *     (applied nowhere), or this engine did not apply it in time (applied as it is read)
   * @throws IllegalStateException if the engine is closed
   */
  public void reconfigure(MirrorConfig next) {
    change(next);
  }

  /**
   * Applies a configuration as {@link #reconfigure(MirrorConfig)} does and returns the
   * configuration version it runs as: with a control store, the store's version of the change
   * (a Kafka offset), without, the number of changes applied since start.
   *
   * @throws MirrorConfigException as {@link #reconfigure(MirrorConfig)}
   * @throws ControlUnavailableException as {@link #reconfigure(MirrorConfig)}
   */
  public long change(MirrorConfig next) {
    Objects.requireNonNull(next, "config");
    if (fleet == null) {
      synchronized (changes) {
        checkEngineKeys(next);
        install(next.policies());
        config = next;
        return nextLocalVersion();
      }
    }
    if (closed) {
      throw new IllegalStateException("engine: is closed, must be open to change its policies");
    }
    synchronized (changes) {
      checkEngineKeys(next);
    }
    if (limits != null) {
      limits.checkKeys(next.toProperties());
      limits.check(next);
    }
    return publish(next, fleetEnabled);
  }

  /** Writes the shared keys and the engine's switch to the store; never under {@code changes}. */
  private long publish(MirrorConfig next, boolean enabled) {
    SortedMap<String, String> shared = next.keys(false);
    shared.put(ENABLED, String.valueOf(enabled));
    return fleet.publish(shared);
  }

  private long nextLocalVersion() {
    localVersion = localVersion < 0 ? 1 : localVersion + 1;
    return localVersion;
  }

  private void checkEngineKeys(MirrorConfig next) {
    MirrorConfig current = config;
    if (next.dispatchThreads() != dispatchThreads) {
      throw engineKey("mirror.dispatch-threads", String.valueOf(next.dispatchThreads()),
          String.valueOf(dispatchThreads));
    }
    if (!next.closeTimeout().equals(closeTimeout)) {
      throw engineKey("mirror.close-timeout", ConfigCatalog.print(next.closeTimeout()),
          ConfigCatalog.print(closeTimeout));
    }
    if (current != null && !Objects.equals(next.markerSecret(), current.markerSecret())) {
      throw engineKey("mirror.marker-secret", ConfigCatalog.SECRET_SHOWN,
          ConfigCatalog.SECRET_SHOWN);
    }
    if (current != null && !next.transport().equals(current.transport())) {
      throw engineKey("mirror.transport", next.transport(), current.transport());
    }
    if (!next.transportSettings().equals(transports.settings())) {
      // Transports' settings hold their credentials (Kafka's SASL and SSL passwords): shown
      // masked, as everywhere a configuration is shown.
      throw engineKey("mirror.<transport>.*", shown(next.transportSettings()),
          shown(transports.settings()));
    }
    if (current != null && (fleet != null || fileWatch != null)) {
      SortedMap<String, String> own = next.keys(true);
      SortedMap<String, String> now = current.keys(true);
      for (String key : List.of(ConfigCatalog.CONTROL.name(), ConfigCatalog.CONFIG_FILE.name())) {
        if (!Objects.equals(own.get(key), now.get(key))) {
          throw engineKey(key, String.valueOf(own.get(key)), String.valueOf(now.get(key)));
        }
      }
    }
  }

  /**
   * Parses flat keys (as {@link MirrorConfig#parse(Map)}) and applies them as {@link
   * #reconfigure(MirrorConfig)}: validated by the same rules, with the same messages, as at
   * start-up.
   */
  public void reconfigure(Map<String, String> keys) {
    reconfigure(MirrorConfig.parse(keys));
  }

  /**
   * Replaces the policy with the same name, or adds it last; as {@link
   * #reconfigure(MirrorConfig)} otherwise. The engine has no {@link #config()} afterwards.
   *
   * @throws IllegalStateException with a control store: a fleet changes through configurations
   */
  public void replacePolicy(MirrorPolicy policy) {
    Objects.requireNonNull(policy, "policy");
    if (fleet != null) {
      throw new IllegalStateException("engine: answers to the control store " + fleet.state()
          .store() + ", must change through a configuration (reconfigure) that every replica"
          + " applies, not through a policy built in code");
    }
    synchronized (changes) {
      List<MirrorPolicy> next = new ArrayList<>(policies());
      boolean replaced = false;
      for (int i = 0; i < next.size(); i++) {
        if (next.get(i).name().equals(policy.name())) {
          next.set(i, policy);
          replaced = true;
        }
      }
      if (!replaced) {
        next.add(policy);
      }
      install(next);
      config = null;
      nextLocalVersion();
    }
  }

  /**
   * Switches one policy on or off, keeping its settings for a later switch on.
   *
   * @throws java.util.NoSuchElementException naming the policies, if there is none by that name
   * @throws IllegalStateException if switched on without a target
   */
  public void setEnabled(String policyName, boolean enabled) {
    Objects.requireNonNull(policyName, "policyName");
    if (fleet != null) {
      // Through the store, never while holding the lock its reader applies changes under.
      policy(policyName);
      Map<String, String> keys = new TreeMap<>(config.toProperties());
      keys.put("mirror.policy." + policyName + ".enabled", String.valueOf(enabled));
      reconfigure(keys);
      return;
    }
    synchronized (changes) {
      MirrorPolicy policy = policy(policyName);
      MirrorConfig current = config;
      if (current != null) {
        Map<String, String> keys = new TreeMap<>(current.toProperties());
        keys.put("mirror.policy." + policyName + ".enabled", String.valueOf(enabled));
        reconfigure(keys);
      } else {
        replacePolicy(policy.withEnabled(enabled));
      }
    }
  }

  /**
   * Returns the policy in force with this name.
   *
   * @throws java.util.NoSuchElementException naming the policies, if there is none
   */
  public MirrorPolicy policy(String name) {
    List<MirrorPolicy> all = policies();
    for (MirrorPolicy policy : all) {
      if (policy.name().equals(name)) {
        return policy;
      }
    }
    throw new java.util.NoSuchElementException("policy: was " + name + ", must be one of "
        + all.stream().map(MirrorPolicy::name).toList());
  }

  private void install(List<MirrorPolicy> policies) {
    if (closed) {
      throw new IllegalStateException("engine: is closed, must be open to change its policies");
    }
    if (policies.isEmpty()) {
      throw new IllegalArgumentException("policies: was empty, must hold at least one policy");
    }
    admission.replace(runtimes(policies, admission.policies()));
  }

  private static String shown(Map<String, Map<String, String>> settings) {
    Map<String, Map<String, String>> shown = new TreeMap<>();
    settings.forEach((transport, keys) -> shown.put(transport,
        ConfigCatalog.masked(keys, MirrorConfig.PREFIX + transport + ".")));
    return shown.toString();
  }

  private static MirrorConfigException engineKey(String key, String value, String current) {
    return new MirrorConfigException(key, value, current + " as the engine runs with: it cannot"
        + " change while the engine runs (restart to change it)");
  }

  /**
   * Switches mirroring on or off at run time; copies in flight are not affected. With a control
   * store, the switch is the fleet's: written to the store and applied by every replica, as
   * {@link #reconfigure(MirrorConfig)}.
   *
   * @throws ControlUnavailableException with a store, as {@link #reconfigure(MirrorConfig)}
   */
  public void setEnabled(boolean enabled) {
    if (fleet != null) {
      publish(config, enabled);
      return;
    }
    admission.setEnabled(enabled);
  }

  /**
   * Returns the configuration version this engine runs: with a control store, the store's
   * version of the configuration applied (a Kafka offset); without, the number of changes
   * applied since start; -1 while it runs its start-up configuration.
   */
  public long configVersion() {
    return fleet != null ? fleet.version() : localVersion;
  }

  /**
   * Returns what this engine runs and, with a control store, what every replica of the fleet
   * reported through it: its name, version, whether it has read the store, and the changes it
   * could not apply.
   */
  public ControlState controlState() {
    if (fleet != null) {
      return fleet.state();
    }
    return new ControlState(null, null, localVersion, true, refused.get(), lastError, List.of());
  }

  /** Returns true if mirroring is switched on. */
  public boolean isEnabled() {
    return admission.isEnabled();
  }

  @Override
  public Decision decide(RequestView request) {
    return admission.decide(request, null);
  }

  @Override
  public Decision decide(RequestView request, String policyName) {
    return admission.decide(request, policyName);
  }

  @Override
  public SubmitResult submit(Decision decision, MirroredRequest request) {
    return dispatch.submit(decision, request);
  }

  @Override
  public void abandon(Decision decision, DropReason reason) {
    Objects.requireNonNull(reason, "reason");
    if (decision instanceof Reservation && ((Reservation) decision).settle()) {
      outcomes.giveBack((Reservation) decision, reason);
    }
  }

  /**
   * Takes the primary's answer to a request decided on with comparison, and pairs it with the
   * shadows' answers; the comparison runs on the engine's comparison thread. Never blocks.
   */
  @Override
  public void answered(Decision decision, Observation primary) {
    if (decision instanceof Reservation reservation && primary != null) {
      String id = reservation.compareId;
      Comparisons comparisons = reservation.policy.comparisons;
      if (id != null && comparisons != null) {
        try {
          comparisons.primary(id, primary);
        } catch (RuntimeException | Error e) {
          outcomes.internalError("comparison: taking the primary's answer", e);
        }
      }
    }
  }

  /**
   * Returns what comparison found so far, for each policy that compares (see {@link
   * dev.mirror.api.Comparison}); empty when none does. Reading it changes nothing.
   */
  public ComparisonReport comparisons() {
    List<ComparisonReport.PolicyReport> out = new ArrayList<>();
    for (PolicyRuntime policy : admission.policies()) {
      if (policy.comparisons != null) {
        out.add(policy.comparisons.ledger.snapshot(policy.policy.name(),
            policy.comparisons.spec, policy.comparisons.pendingCount()));
      }
    }
    return new ComparisonReport(out, compareWorker.turnedAway());
  }

  /**
   * Records an error that happened while mirroring outside the engine (in an entry point):
   * counted in {@link MirrorStats#errors()} and logged at a limited rate. Returns true.
   */
  @Override
  public boolean reportError(String where, Throwable error) {
    outcomes.internalError(where, error);
    return true;
  }

  /** Returns the counts so far; reading them changes nothing. */
  public MirrorStats stats() {
    List<PolicyStats> policies = new ArrayList<>();
    for (PolicyRuntime policy : admission.policies()) {
      policies.add(policy.snapshot());
    }
    return new MirrorStats(admission.requests(), admission.unrouted(), admission.disabled(),
        outcomes.errors(), policies);
  }

  /**
   * Stops taking requests, waits up to the close timeout for copies in flight, then ends the rest
   * (copies not started count as dropped {@code CLOSED}, open exchanges are cancelled), stops the
   * threads and closes the transport if the engine made it. Safe to call twice.
   */
  @Override
  public void close() {
    synchronized (inFlight) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (fileWatch != null) {
      fileWatch.close();
    }
    if (fleet != null) {
      fleet.close();
    }
    admission.close();
    dispatch.close(inFlight, System.nanoTime() + closeTimeout.toNanos());
    for (PolicyRuntime policy : admission.policies()) {
      if (policy.comparisons != null) {
        policy.comparisons.close();
      }
    }
    compareWorker.close();
    outcomes.close();
  }

  /** Builds a {@link MirrorEngine}. */
  public static final class Builder {
    private final List<MirrorPolicy> policies = new ArrayList<>();
    private MirrorTransport transport;
    private boolean ownsTransport;
    private final List<MirrorListener> listeners = new ArrayList<>();
    private int dispatchThreads = DEFAULT_DISPATCH_THREADS;
    private Duration closeTimeout = Duration.ofMillis(DEFAULT_CLOSE_TIMEOUT_MILLIS);
    private boolean enabled = true;
    private LongSupplier nanoTime = System::nanoTime;
    private MirrorConfig config;
    private Map<String, Map<String, String>> transportSettings = Map.of();
    private LoopMarker loopMarker = LoopMarker.UNSIGNED;

    private Builder() {}

    /**
     * The secret every instance of the fleet shares (default none): copies' markers then carry
     * an HMAC of their request id, and a request whose marker does not prove itself is mirrored
     * like any other (counted in {@link PolicyStats#unprovenMarkers()}) instead of being taken
     * for a copy. Without it, any client can keep its requests from being mirrored by sending
     * the marker header.
     *
     * @throws IllegalArgumentException if shorter than 16 characters
     */
    public Builder markerSecret(String secret) {
      Objects.requireNonNull(secret, "secret");
      if (secret.length() < LoopMarker.MIN_SECRET_LENGTH) {
        throw new IllegalArgumentException("marker-secret: was " + secret.length()
            + " characters long, must be at least " + LoopMarker.MIN_SECRET_LENGTH);
      }
      this.loopMarker = LoopMarker.of(secret);
      return this;
    }

    /** The markers' proofs, as a configuration says. */
    Builder loopMarker(LoopMarker marker) {
      this.loopMarker = Objects.requireNonNull(marker, "marker");
      return this;
    }

    /** The configuration the policies came from, so that the engine can change through it. */
    Builder config(MirrorConfig config) {
      this.config = config;
      return this;
    }

    /** Adds a policy; policies are tried in the order added. */
    public Builder policy(MirrorPolicy policy) {
      policies.add(Objects.requireNonNull(policy, "policy"));
      config = null; // the policies are no longer just the configuration's
      return this;
    }

    /** Adds policies; tried in order. */
    public Builder policies(List<MirrorPolicy> policies) {
      policies.forEach(this::policy);
      return this;
    }

    /**
     * The transport copies go out through (default: a {@link NioHttpTransport} the engine makes
     * and closes). A transport passed here is the caller's to close.
     */
    public Builder transport(MirrorTransport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      this.ownsTransport = false;
      return this;
    }

    /**
     * Settings for the transports made for other schemes, by transport name: the {@code
     * mirror.<name>.*} keys without that prefix (as a configuration gives them).
     */
    public Builder transportSettings(Map<String, Map<String, String>> settings) {
      this.transportSettings = Map.copyOf(Objects.requireNonNull(settings, "settings"));
      return this;
    }

    /** A transport the engine closes with itself (one made from configuration). */
    Builder ownedTransport(MirrorTransport transport) {
      this.transport = Objects.requireNonNull(transport, "transport");
      this.ownsTransport = true;
      return this;
    }

    /**
     * Adds a listener for copy events. Listeners run on a thread of their own ({@code
     * mirror-events}), one event at a time in the order copies ended; if they fall more than
     * 8,192 events behind, events are dropped and logged.
     */
    public Builder listener(MirrorListener listener) {
      listeners.add(Objects.requireNonNull(listener, "listener"));
      return this;
    }

    /**
     * Dispatch threads (default {@value MirrorEngine#DEFAULT_DISPATCH_THREADS}), in [1, 64]: used
     * only with a transport that has no event loop of its own.
     */
    public Builder dispatchThreads(int threads) {
      if (threads < 1 || threads > 64) {
        throw new IllegalArgumentException("dispatch-threads: was " + threads + ", must be in [1, 64]");
      }
      this.dispatchThreads = threads;
      return this;
    }

    /** How long close() waits (default {@value MirrorEngine#DEFAULT_CLOSE_TIMEOUT_MILLIS} ms). */
    public Builder closeTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("close-timeout: was " + timeout + ", must be >= 0");
      }
      this.closeTimeout = timeout;
      return this;
    }

    /**
     * The clock the engine times everything by: circuits' cool-down, rate limits, copies'
     * latency, a saturated transport's pause and the intervals of its logs. A monotonic clock in
     * nanoseconds; default {@code System::nanoTime}. Tests pass a fake one to move time by hand.
     * (Waits, such as {@link MirrorEngine#close()}'s, take real time.)
     */
    public Builder clock(LongSupplier nanoTime) {
      this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
      return this;
    }

    /** Whether mirroring starts switched on (default true). */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /**
     * Returns a new engine; each call makes one with its own threads.
     *
     * @throws IllegalStateException if no policy was added
     */
    public MirrorEngine build() {
      if (policies.isEmpty()) {
        throw new IllegalStateException("policies: was empty, must hold at least one policy");
      }
      return new MirrorEngine(this);
    }
  }
}
