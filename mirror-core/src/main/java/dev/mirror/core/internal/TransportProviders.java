package dev.mirror.core.internal;

import dev.mirror.api.MirrorTransportProvider;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The transports on the class path, by name, found through {@link ServiceLoader}. */
public final class TransportProviders {

  private static final Logger LOG = LoggerFactory.getLogger(TransportProviders.class);

  private TransportProviders() {}

  /** Returns the provider that serves this address scheme, or null. */
  public static MirrorTransportProvider forScheme(String scheme) {
    for (MirrorTransportProvider provider : all().values()) {
      if (provider.schemes().contains(scheme)) {
        return provider;
      }
    }
    return null;
  }

  /** Returns every provider found, sorted by name; a provider that fails to load is logged. */
  public static Map<String, MirrorTransportProvider> all() {
    Map<String, MirrorTransportProvider> byName = new TreeMap<>();
    ClassLoader loader = MirrorTransportProvider.class.getClassLoader();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    for (ClassLoader l : context == null || context == loader
        ? new ClassLoader[] {loader} : new ClassLoader[] {loader, context}) {
      var providers = ServiceLoader.load(MirrorTransportProvider.class, l).iterator();
      while (true) {
        try {
          if (!providers.hasNext()) {
            break;
          }
          MirrorTransportProvider provider = providers.next();
          byName.putIfAbsent(provider.name(), provider);
        } catch (ServiceConfigurationError e) {
          LOG.warn("mirror: a transport provider could not be loaded: {}", e.getMessage());
        }
      }
    }
    return byName;
  }
}
