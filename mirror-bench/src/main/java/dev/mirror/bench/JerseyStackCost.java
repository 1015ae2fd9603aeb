package dev.mirror.bench;

import dev.mirror.api.Decision;
import dev.mirror.core.MirrorEngine;
import dev.mirror.jaxrs.MirrorFeature;
import dev.mirror.jaxrs.Mirrored;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.core.SecurityContext;
import java.io.OutputStream;
import java.net.URI;
import java.security.Principal;
import java.util.concurrent.TimeUnit;
import org.glassfish.jersey.internal.MapPropertiesDelegate;
import org.glassfish.jersey.server.ApplicationHandler;
import org.glassfish.jersey.server.ContainerRequest;
import org.glassfish.jersey.server.ContainerResponse;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.server.spi.ContainerResponseWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * A whole Jersey request in memory (what the JDK HTTP container does per request, without the
 * socket): the application, a {@code @Mirrored} resource at {@code /m} beside a plain one
 * at {@code /n}, without {@code MirrorFeature} and with it. The difference is all the feature
 * costs a request whose copy is not made, Jersey's side included (providers it runs, headers it
 * parses for us); {@link JaxrsRequestThreadCost} isolates the feature's own filters.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JerseyStackCost {

  private static final URI BASE = URI.create("http://127.0.0.1:18190/");
  private static final URI M = URI.create("http://127.0.0.1:18190/m");
  private static final URI N = URI.create("http://127.0.0.1:18190/n");

  /** sampledOut: the sampler says no; turnedAway: the target is at its cap (a slow shadow). */
  @Param({"sampledOut", "turnedAway"})
  public String shape;

  private MirrorEngine engine;
  private Decision held;
  private ApplicationHandler plain;
  private ApplicationHandler mirroring;
  private ApplicationHandler bound;
  private final Writer writer = new Writer();

  /** The mirrored resource. */
  @Path("m")
  @Mirrored
  public static class MirroredResource {
    @GET
    @Produces("text/plain")
    public String get() {
      return "hello\n";
    }
  }

  /** Its neighbour without the annotation. */
  @Path("n")
  public static class PlainResource {
    @GET
    @Produces("text/plain")
    public String get() {
      return "hello\n";
    }
  }

  @Setup
  public void setUp() {
    engine = Fixture.engine(shape);
    held = Fixture.fill(engine, shape);
    plain = new ApplicationHandler(new ResourceConfig(MirroredResource.class, PlainResource.class));
    mirroring = new ApplicationHandler(new ResourceConfig(MirroredResource.class,
        PlainResource.class).register(new MirrorFeature(engine)));
    bound = new ApplicationHandler(new ResourceConfig(MirroredResource.class,
        PlainResource.class).register(new BindNothingToM()));
  }

  @Benchmark
  public int withoutFeature() {
    return handle(plain, M);
  }

  @Benchmark
  public int mirroredResource() {
    return handle(mirroring, M);
  }

  /**
   * The control: no feature, but a filter that does nothing bound to {@code /m}'s method, as
   * {@code @Mirrored} binds one. What Jersey itself charges a request for a method-bound filter.
   */
  @Benchmark
  public int boundFilterAlone() {
    return handle(bound, M);
  }

  @Benchmark
  public int plainResource() {
    return handle(mirroring, N);
  }

  /** One GET as the JDK HTTP container hands it to Jersey; returns the answer's status. */
  private int handle(ApplicationHandler handler, URI uri) {
    ContainerRequest request = new ContainerRequest(BASE, uri, "GET", Anonymous.INSTANCE,
        new MapPropertiesDelegate(), handler.getConfiguration());
    request.header("Host", "127.0.0.1:18190");
    request.header("User-agent", "wrk");
    request.header("Accept", "*/*");
    request.setWriter(writer);
    writer.status = 0;
    handler.handle(request);
    return writer.status;
  }

  @TearDown
  public void tearDown() {
    Fixture.release(engine, held);
    if (writer.status != 200) {
      throw new IllegalStateException("the last answer was " + writer.status);
    }
    System.out.printf("%n  [%s] decided %,d, sampled out %,d, dropped %s%n", shape,
        engine.stats().policies().get(0).submitted(),
        engine.stats().policies().get(0).sampledOut(), engine.stats().target("t").dropped());
    engine.close();
  }

  /** Binds a request filter that does nothing to the methods of {@link MirroredResource}. */
  private static final class BindNothingToM implements DynamicFeature {
    @Override
    public void configure(ResourceInfo resource, FeatureContext context) {
      if (resource.getResourceClass() == MirroredResource.class) {
        context.register((ContainerRequestFilter) request -> { });
      }
    }
  }

  /** The container's side: the answer goes nowhere. */
  private static final class Writer implements ContainerResponseWriter {
    private static final OutputStream NOWHERE = new OutputStream() {
      @Override
      public void write(int b) {}

      @Override
      public void write(byte[] bytes, int offset, int length) {}
    };
    int status;

    @Override
    public OutputStream writeResponseStatusAndHeaders(long length, ContainerResponse response) {
      status = response.getStatus();
      return NOWHERE;
    }

    @Override
    public boolean suspend(long timeOut, TimeUnit unit, TimeoutHandler handler) {
      return false;
    }

    @Override
    public void setSuspendTimeout(long timeOut, TimeUnit unit) {}

    @Override
    public void commit() {}

    @Override
    public void failure(Throwable error) {
      throw new IllegalStateException(error);
    }

    @Override
    public boolean enableResponseBuffering() {
      return false;
    }
  }

  /** The JDK container's security context for a request without a principal. */
  private enum Anonymous implements SecurityContext {
    INSTANCE;

    @Override
    public Principal getUserPrincipal() {
      return null;
    }

    @Override
    public boolean isUserInRole(String role) {
      return false;
    }

    @Override
    public boolean isSecure() {
      return false;
    }

    @Override
    public String getAuthenticationScheme() {
      return null;
    }
  }
}
