package dev.mirror.jaxrs;

import dev.mirror.api.MirrorDispatcher;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import jakarta.ws.rs.core.Feature;
import jakarta.ws.rs.core.FeatureContext;

/**
 * Mirrors the requests of a JAX-RS application: register it like any provider.
 *
 * <pre>{@code
 * new ResourceConfig(MyResource.class)
 *     .property("mirror.host", "http://staging:8080")      // any key of README's table
 *     .register(MirrorFeature.class);
 * }</pre>
 *
 * <p>With no argument the configuration is read from the application's properties (the same
 * {@code mirror.*} keys as the servlet filter) and the feature owns the engine it builds:
 * {@link #close()} it when the application stops. With a {@link MirrorDispatcher} the dispatcher
 * stays the caller's; with a {@link MirrorConfig} the feature builds and owns the engine.
 *
 * <p>Every request is mirrored unless some resource carries {@link Mirrored}; then only those
 * are. The resource sees exactly the client's bytes; the copy leaves once the response filters
 * run, with what the resource left unread read up to the body limit. An invalid configuration
 * fails the application's start with a message naming the key.
 *
 * <p>With {@code mirror.admin.path} among the properties (and {@code mirror.admin.token} or
 * {@code mirror.admin.token-file}), the feature also serves the runtime control endpoint there;
 * that needs the module {@code mirror-admin}.
 */
public final class MirrorFeature implements Feature, AutoCloseable {

  /** The key that turns the admin endpoint on, at this path (module mirror-admin). */
  private static final String ADMIN_PATH = "mirror.admin.path";

  private final MirrorConfig config;
  private MirrorDispatcher dispatcher;
  /** The engine this feature built, or null. */
  private MirrorEngine engine;
  private boolean ownsDispatcher;

  /** Configured from the application's {@code mirror.*} properties. */
  public MirrorFeature() {
    this.config = null;
  }

  /** Mirrors through this dispatcher, which the caller closes. */
  public MirrorFeature(MirrorDispatcher dispatcher) {
    this.config = null;
    this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
  }

  /** Mirrors as configured; the feature builds and owns its engine. */
  public MirrorFeature(MirrorConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * Registers the filters, building the engine first if needed.
   *
   * @throws IllegalArgumentException (a {@code MirrorConfigException}) naming the key of an
   *     invalid configuration
   */
  @Override
  public synchronized boolean configure(FeatureContext context) {
    Map<String, String> keys = mirrorProperties(context.getConfiguration().getProperties());
    if (dispatcher == null) {
      MirrorConfig parsed = config != null ? config : MirrorConfig.parse(keys);
      engine = parsed.newEngine();
      dispatcher = engine;
      ownsDispatcher = true;
    }
    if (keys.containsKey(ADMIN_PATH)) {
      if (engine == null) {
        throw new IllegalStateException(ADMIN_PATH + ": needs the engine the feature builds from"
            + " its configuration; with a dispatcher passed in code, serve MirrorAdmin yourself");
      }
      MirrorAdminFilter.register(context, engine, keys);
    }
    MirrorFilters.Shared shared = new MirrorFilters.Shared(dispatcher);
    context.register(new MirrorFilters.AllRequests(shared));
    context.register(new MirrorFilters.Completion());
    context.register(new MirrorFilters.Binding(shared));
    return true;
  }

  private static Map<String, String> mirrorProperties(Map<String, Object> properties) {
    Map<String, String> keys = new LinkedHashMap<>();
    properties.forEach((name, value) -> {
      if (name.startsWith(MirrorConfig.PREFIX) && value != null) {
        keys.put(name, value.toString());
      }
    });
    return keys;
  }

  /** Returns the dispatcher in use, or null before the feature was configured. */
  public synchronized MirrorDispatcher dispatcher() {
    return dispatcher;
  }

  /** Closes the engine this feature built (draining copies); a dispatcher passed in stays open. */
  @Override
  public synchronized void close() {
    if (ownsDispatcher && dispatcher != null) {
      dispatcher.close();
    }
  }
}
