package dev.mirror.bench;

import com.sun.net.httpserver.HttpServer;
import dev.mirror.core.MirrorEngine;
import dev.mirror.jaxrs.MirrorFeature;
import dev.mirror.jaxrs.Mirrored;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.glassfish.jersey.jdkhttp.JdkHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * The JAX-RS primary bench/jaxrs-load.sh measures: Jersey on the JDK's HTTP server (TCP_NODELAY,
 * {@value #WORKERS} worker threads) on 127.0.0.1, a {@code @Mirrored} resource at {@code /m}
 * beside a plain one at {@code /n}, both answering "hello". With {@code mirror.*} arguments,
 * {@code MirrorFeature} is registered, configured from them as application properties (as a user
 * would, no JVM flag); without, it is not. Usage: {@code BenchJaxrsPrimary <port>
 * [mirror.key=value ...]}. While it runs, {@code http://127.0.0.1:<port + 1>/} answers the
 * default target's counts ({@link StatsPort}); on exit it prints them.
 */
public final class BenchJaxrsPrimary {

  /** Worker threads of the JDK HTTP server. */
  static final int WORKERS = 16;

  private BenchJaxrsPrimary() {}

  /** Mirrored: the only annotated resource, so the feature mirrors this one alone. */
  @Path("m")
  @Mirrored
  public static final class MirroredHello {
    @GET
    @Produces("text/plain")
    public String get() {
      return "hello\n";
    }
  }

  /** Never mirrored: its requests are the pair's baseline. */
  @Path("n")
  public static final class PlainHello {
    @GET
    @Produces("text/plain")
    public String get() {
      return "hello\n";
    }
  }

  public static void main(String[] args) throws Exception {
    // Before the JDK's server reads its settings: without it each answer waits for the client's
    // delayed ACK. The server's, not mirror's.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    int port = Integer.parseInt(args[0]);
    Map<String, Object> keys = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      keys.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    ResourceConfig config = new ResourceConfig(MirroredHello.class, PlainHello.class);
    MirrorFeature feature = null;
    if (!keys.isEmpty()) {
      config.addProperties(keys);
      feature = new MirrorFeature();
      config.register(feature);
    }
    HttpServer server = JdkHttpServerFactory.createHttpServer(
        URI.create("http://127.0.0.1:" + port + "/"), config, false);
    ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
    server.setExecutor(workers);
    server.start();
    if (feature != null) {
      StatsPort.serve((MirrorEngine) feature.dispatcher(), port + 1);
    }
    MirrorFeature owned = feature;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop(0);
      workers.shutdown();
      if (owned != null) {
        owned.close();
      }
    }));
    System.out.println("JAX-RS primary ready on " + port + (feature == null ? " (no feature)"
        : " mirroring /m to " + keys.get("mirror.host")));
  }
}
