package dev.mirror.core.internal.control;

import dev.mirror.core.control.ControlChannelProvider;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The control stores on the class path, found through {@link ServiceLoader} by scheme. */
public final class ControlChannels {

  private static final Logger LOG = LoggerFactory.getLogger(ControlChannels.class);

  private ControlChannels() {}

  /** Returns the provider that serves this address scheme, or null. */
  public static ControlChannelProvider forScheme(String scheme) {
    for (ControlChannelProvider provider : all().values()) {
      if (provider.schemes().contains(scheme)) {
        return provider;
      }
    }
    return null;
  }

  /** Returns every provider found, by name; one that fails to load is logged. */
  public static Map<String, ControlChannelProvider> all() {
    Map<String, ControlChannelProvider> byName = new TreeMap<>();
    ClassLoader loader = ControlChannelProvider.class.getClassLoader();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    for (ClassLoader l : context == null || context == loader
        ? new ClassLoader[] {loader} : new ClassLoader[] {loader, context}) {
      var providers = ServiceLoader.load(ControlChannelProvider.class, l).iterator();
      while (true) {
        try {
          if (!providers.hasNext()) {
            break;
          }
          ControlChannelProvider provider = providers.next();
          byName.putIfAbsent(provider.name(), provider);
        } catch (ServiceConfigurationError e) {
          LOG.warn("mirror: a control store provider could not be loaded: {}", e.getMessage());
        }
      }
    }
    return byName;
  }
}
