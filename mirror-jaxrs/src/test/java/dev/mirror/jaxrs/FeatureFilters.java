package dev.mirror.jaxrs;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.FeatureContext;
import java.io.IOException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * What {@link MirrorFeature} registers, read as a runtime reads it (its {@code configure}, then
 * its dynamic feature offered a resource method), run in the runtime's order: pre-matching request
 * filters, the method's, then response filters. For tests that watch each call on the request.
 */
final class FeatureFilters {

  /** Resource methods to offer the dynamic feature. */
  static final class Resource {
    @Mirrored
    public String mirrored() {
      return "m";
    }

    public String plain() {
      return "n";
    }
  }

  final List<Object> registered = new ArrayList<>();
  private final List<ContainerRequestFilter> requestFilters = new ArrayList<>();
  private final List<ContainerResponseFilter> responseFilters = new ArrayList<>();

  /**
   * @param method null: no resource carries @Mirrored (every request is decided); else the name
   *     of the {@link Resource} method the request is for, {@code mirrored} carrying @Mirrored
   */
  FeatureFilters(MirrorFeature feature, String method) throws NoSuchMethodException {
    Recorder global = new Recorder(registered);
    feature.configure(global);
    for (Object provider : registered) {
      if (provider instanceof ContainerRequestFilter filter
          && provider.getClass().isAnnotationPresent(PreMatching.class)) {
        requestFilters.add(filter);
      }
    }
    if (method != null) {
      Method invoked = Resource.class.getMethod(method);
      for (Object provider : registered) {
        if (provider instanceof DynamicFeature dynamic) {
          for (Method offered : Resource.class.getDeclaredMethods()) {
            List<Object> bound = new ArrayList<>();
            dynamic.configure(new Info(offered), new Recorder(bound));
            if (offered.equals(invoked)) {
              bound.forEach(this::add);
            }
          }
        }
      }
    }
    for (Object provider : registered) {
      if (!(provider instanceof ContainerRequestFilter)
          || !provider.getClass().isAnnotationPresent(PreMatching.class)) {
        add(provider);
      }
    }
  }

  private void add(Object provider) {
    if (provider instanceof ContainerRequestFilter filter) {
      requestFilters.add(filter);
    }
    if (provider instanceof ContainerResponseFilter filter) {
      responseFilters.add(filter);
    }
  }

  /** Runs the request filters (indexed: an iterator would be this helper's allocation). */
  void request(ContainerRequestContext request) throws IOException {
    for (int i = 0; i < requestFilters.size(); i++) {
      requestFilters.get(i).filter(request);
    }
  }

  void response(ContainerRequestContext request, ContainerResponseContext response)
      throws IOException {
    for (int i = 0; i < responseFilters.size(); i++) {
      responseFilters.get(i).filter(request, response);
    }
  }

  private record Info(Method method) implements ResourceInfo {
    @Override
    public Method getResourceMethod() {
      return method;
    }

    @Override
    public Class<?> getResourceClass() {
      return Resource.class;
    }
  }

  /** Keeps what is registered. */
  private static final class Recorder implements FeatureContext {
    private final List<Object> registered;
    private final ResourceConfig configuration = new ResourceConfig();

    Recorder(List<Object> registered) {
      this.registered = registered;
    }

    @Override
    public Configuration getConfiguration() {
      return configuration;
    }

    @Override
    public FeatureContext property(String name, Object value) {
      configuration.property(name, value);
      return this;
    }

    @Override
    public FeatureContext register(Class<?> componentClass) {
      registered.add(componentClass);
      return this;
    }

    @Override
    public FeatureContext register(Class<?> componentClass, int priority) {
      return register(componentClass);
    }

    @Override
    public FeatureContext register(Class<?> componentClass, Class<?>... contracts) {
      return register(componentClass);
    }

    @Override
    public FeatureContext register(Class<?> componentClass, Map<Class<?>, Integer> contracts) {
      return register(componentClass);
    }

    @Override
    public FeatureContext register(Object component) {
      registered.add(component);
      return this;
    }

    @Override
    public FeatureContext register(Object component, int priority) {
      return register(component);
    }

    @Override
    public FeatureContext register(Object component, Class<?>... contracts) {
      return register(component);
    }

    @Override
    public FeatureContext register(Object component, Map<Class<?>, Integer> contracts) {
      return register(component);
    }
  }
}
