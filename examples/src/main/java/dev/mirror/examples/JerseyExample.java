package dev.mirror.examples;

import com.sun.net.httpserver.HttpServer;
import dev.mirror.jaxrs.MirrorFeature;
import dev.mirror.jaxrs.Mirrored;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.net.URI;
import org.glassfish.jersey.jdkhttp.JdkHttpServerFactory;
import org.glassfish.jersey.server.ResourceConfig;

/**
 * Example: a Jersey application that mirrors only what it marks with {@code @Mirrored}, with the
 * feature configured from application properties.
 */
public final class JerseyExample {

  private JerseyExample() {}

  /** Orders are mirrored to the default policy; health checks and admin calls are not. */
  @Path("/")
  public static class OrderResource {
    @GET
    @Path("orders/{id}")
    @Mirrored
    public String order(@PathParam("id") String id) {
      return "{\"order\":\"" + id + "\"}";
    }

    @POST
    @Path("orders")
    @Mirrored
    public String create(String body) {
      return "{\"created\":" + body.length() + "}";
    }

    @GET
    @Path("health")
    public String health() {
      return "ok";
    }
  }

  /** Starts the application on 127.0.0.1 (port 0 for any); the caller stops the server. */
  public static HttpServer start(String shadow, int port, MirrorFeature feature) {
    ResourceConfig app = new ResourceConfig(OrderResource.class)
        .property("mirror.host", shadow)
        .property("mirror.sample-ratio", "1")
        .register(feature);
    return JdkHttpServerFactory.createHttpServer(URI.create("http://127.0.0.1:" + port + "/"), app);
  }

  public static void main(String[] args) throws Exception {
    try (RecordingShadow shadow = RecordingShadow.healthy("shadow");
        MirrorFeature feature = new MirrorFeature()) {
      HttpServer server = start(shadow.address(), 8080, feature);
      System.out.println("Serving http://127.0.0.1:8080/orders/42 (mirrored) and /health (not),"
          + " mirroring to " + shadow.address() + "; Ctrl-C to stop");
      Thread.currentThread().join();
      server.stop(0);
    }
  }
}
