package dev.mirror.bench;

import dev.mirror.api.Decision;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.TargetStats;
import dev.mirror.jaxrs.MirrorFeature;
import dev.mirror.jaxrs.Mirrored;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Configuration;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.glassfish.jersey.internal.PropertiesDelegate;
import org.glassfish.jersey.server.ContainerRequest;
import org.glassfish.jersey.server.ContainerResponse;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * What the JAX-RS filter benchmarks hold: an engine, the filters {@link MirrorFeature} registers
 * (read from the feature as a JAX-RS runtime would: through {@code configure}, and through its
 * dynamic feature for the resource method), a Jersey request and response reused from operation
 * to operation, and an application that reads the body. The filters run as Jersey runs them:
 * pre-matching request filters, the method's request filters, the resource, response filters.
 * Jersey's own request processing is not in it (see {@link JerseyStackCost}).
 */
abstract class JaxrsBench {

  MirrorEngine engine;
  private Decision held;
  private final List<ContainerRequestFilter> requestFilters = new ArrayList<>();
  private final List<ContainerResponseFilter> responseFilters = new ArrayList<>();
  private ContainerRequest request;
  private ContainerResponse response;
  private ByteArrayInputStream body;
  private final Properties properties = new Properties();
  private final byte[] sink = new byte[8192];

  /** A resource method: {@code mirrored()} carries @Mirrored, {@code plain()} does not. */
  public static final class Resource {
    @Mirrored
    public String mirrored() {
      return "hello";
    }

    public String plain() {
      return "hello";
    }
  }

  /**
   * @param binding {@code all}: no resource carries @Mirrored, so every request is decided;
   *     {@code annotated}: the request is for a @Mirrored method (the issue's /m);
   *     {@code notAnnotated}: some method carries @Mirrored, this request's does not (its /n)
   */
  void start(String shape, String binding) throws Exception {
    engine = Fixture.engine(shape);
    held = Fixture.fill(engine, shape);
    Recorder recorder = new Recorder();
    new MirrorFeature(engine).configure(recorder);
    List<Object> global = new ArrayList<>(recorder.registered);
    for (Object provider : global) {
      if (provider instanceof ContainerRequestFilter filter
          && provider.getClass().isAnnotationPresent(PreMatching.class)) {
        requestFilters.add(filter);
      }
    }
    if (!binding.equals("all")) {
      // The runtime offers every resource method to the dynamic features at start-up; the one
      // carrying @Mirrored switches the feature to opt-in.
      Method mirrored = Resource.class.getMethod("mirrored");
      Method plain = Resource.class.getMethod("plain");
      Method invoked = binding.equals("annotated") ? mirrored : plain;
      for (Object provider : global) {
        if (provider instanceof DynamicFeature dynamic) {
          for (Method method : new Method[] {mirrored, plain}) {
            Recorder bound = new Recorder();
            dynamic.configure(new Info(method), bound);
            if (method.equals(invoked)) {
              bound.registered.stream().filter(ContainerRequestFilter.class::isInstance)
                  .map(ContainerRequestFilter.class::cast).forEach(requestFilters::add);
              bound.registered.stream().filter(ContainerResponseFilter.class::isInstance)
                  .map(ContainerResponseFilter.class::cast).forEach(responseFilters::add);
            }
          }
        }
      }
    }
    for (Object provider : global) {
      if (provider instanceof ContainerRequestFilter filter
          && !provider.getClass().isAnnotationPresent(PreMatching.class)) {
        requestFilters.add(filter);
      }
      if (provider instanceof ContainerResponseFilter filter) {
        responseFilters.add(filter);
      }
    }

    int size = Fixture.bodySize(shape);
    body = new ByteArrayInputStream(new byte[size]);
    request = new ContainerRequest(URI.create("http://shop.example/"),
        URI.create("http://shop.example/api/orders?id=42&view=full"), size == 0 ? "GET" : "POST",
        null, properties, recorder.getConfiguration());
    // As the JDK's HttpServer hands them to Jersey (it capitalises the first letter only).
    request.header("Host", "shop.example");
    request.header("Accept", "application/json");
    request.header("User-agent", "bench/1.0");
    request.header("Content-type", "application/json");
    request.header("X-request-id", "abc-123");
    if (size > 0) {
      request.header("Content-length", Integer.toString(size));
    }
    request.setEntityStream(body);
    // Over a request of its own: a Jersey request takes no new entity stream once a response
    // exists for it, and this one is reused.
    response = new ContainerResponse(new ContainerRequest(null, request.getRequestUri(),
        request.getMethod(), null, new Properties(), recorder.getConfiguration()),
        Response.ok("hello", MediaType.TEXT_PLAIN_TYPE).build());
  }

  /** The resource alone: reads its body, as Jersey's readers do. */
  void application() throws IOException {
    InputStream in = request.getEntityStream();
    while (in.read(sink) >= 0) {
      // the resource reads its body
    }
  }

  /** One request through the feature's filters around the resource. */
  void exchange() throws IOException {
    for (int i = 0; i < requestFilters.size(); i++) {
      requestFilters.get(i).filter(request);
    }
    application();
    for (int i = 0; i < responseFilters.size(); i++) {
      responseFilters.get(i).filter(request, response);
    }
  }

  /** Makes the request new again for the next operation: its properties and its body. */
  void reset() {
    properties.map.clear();
    body.reset();
    request.setEntityStream(body);
  }

  /** Prints what became of the copies, then closes the engine. */
  void stop(String shape) {
    Fixture.release(engine, held);
    TargetStats stats = engine.stats().target("t");
    System.out.printf("%n  [%s] copies sent %,d, dropped %,d %s, sampled out %,d, filtered out"
        + " %,d%n", shape, stats.sent(), stats.droppedTotal(), stats.dropped(),
        engine.stats().policies().get(0).sampledOut(),
        engine.stats().policies().get(0).filteredOut());
    engine.close();
  }

  /** The request's properties, cleared between operations without allocating. */
  private static final class Properties implements PropertiesDelegate {
    final Map<String, Object> map = new HashMap<>();

    @Override
    public Object getProperty(String name) {
      return map.get(name);
    }

    @Override
    public java.util.Collection<String> getPropertyNames() {
      return map.keySet();
    }

    @Override
    public void setProperty(String name, Object object) {
      map.put(name, object);
    }

    @Override
    public void removeProperty(String name) {
      map.remove(name);
    }
  }

  /** The resource method a dynamic feature is offered. */
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

  /** A feature context that keeps what is registered, as a runtime would at start-up. */
  private static final class Recorder implements FeatureContext {
    final List<Object> registered = new ArrayList<>();
    private final ResourceConfig configuration = new ResourceConfig();

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
      throw new UnsupportedOperationException("the feature registers instances");
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
