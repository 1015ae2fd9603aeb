package dev.mirror.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mirror.core.testing.Shadow;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.InputStreamRequestContent;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.glassfish.jersey.server.ResourceConfig;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JAX-RS feature over HTTP/2 (cleartext, prior knowledge): Jersey as a servlet on Jetty 12
 * and Tomcat 11, driven by Jetty's HTTP/2 client. A body of no declared length arrives whole, the
 * copy's Host is the request's authority, no pseudo-header reaches it, a GET has no framing.
 */
class JaxrsHttp2Test {

  @Path("/")
  public static class Echo {
    @PUT
    @Path("echo")
    public String put(byte[] body) {
      return "got " + body.length;
    }

    @GET
    @Path("get")
    public String get() {
      return "ok";
    }
  }

  private static byte[] bytes(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return b;
  }

  /** Starts Jersey with the feature in a container speaking h2c; returns its port and a stopper. */
  private interface Running extends AutoCloseable {
    int port();
  }

  private static Running start(String container, String shadow) throws Exception {
    ResourceConfig app = new ResourceConfig(Echo.class).register(MirrorFeature.class)
        .property("mirror.host", shadow);
    if (container.equals("jetty")) {
      Server server = new Server();
      HttpConfiguration http = new HttpConfiguration();
      ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http),
          new HTTP2CServerConnectionFactory(http));
      connector.setHost("127.0.0.1");
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/");
      context.addServlet(new ServletHolder(new ServletContainer(app)), "/*");
      server.setHandler(context);
      server.start();
      return new Running() {
        public int port() {
          return connector.getLocalPort();
        }

        public void close() throws Exception {
          server.stop();
        }
      };
    }
    Tomcat tomcat = new Tomcat();
    java.nio.file.Path base = Files.createTempDirectory("tomcat");
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector();
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.addUpgradeProtocol(new org.apache.coyote.http2.Http2Protocol());
    tomcat.getService().addConnector(connector);
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", base.toString());
    Tomcat.addServlet(context, "jersey", new ServletContainer(app));
    context.addServletMappingDecoded("/*", "jersey");
    tomcat.start();
    return new Running() {
      public int port() {
        return connector.getLocalPort();
      }

      public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
      }
    };
  }

  /**
   * The PUT, sent again only if the server refused its stream (REFUSED_STREAM, which RFC 9113
   * section 8.7 says was not processed, so neither the application nor the filter saw it): Tomcat
   * refuses a first stream now and then under load, and Jetty's client does not resend a body
   * read from a stream.
   */
  private static ContentResponse putOnce(HttpClient client, String url) throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return client.newRequest(url).method("PUT")
            .headers(h -> h.put("Content-Type", "application/octet-stream"))
            .body(new InputStreamRequestContent(new ByteArrayInputStream(bytes(20_000))))
            .timeout(10, TimeUnit.SECONDS).send();
      } catch (java.util.concurrent.ExecutionException e) {
        if (attempt == 2
            || !(e.getCause() instanceof org.eclipse.jetty.client.RetryableRequestException)) {
          throw e;
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"jetty", "tomcat"})
  void aStreamedBody_arrivesWhole_withTheAuthorityAsHost(String container) throws Exception {
    HttpClient client = new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()));
    client.start();
    try (Shadow shadow = Shadow.answering(200);
        Running app = start(container, shadow.address())) {
      String base = "http://127.0.0.1:" + app.port();
      ContentResponse put = putOnce(client, base + "/echo");
      assertThat(put.getVersion().asString()).isEqualTo("HTTP/2.0");
      assertThat(put.getContentAsString()).isEqualTo("got 20000");
      RecordedRequest copy = shadow.take();
      assertThat(copy.getBody().toByteArray()).as("a body with no declared length")
          .isEqualTo(bytes(20_000));
      assertThat(copy.getHeaders().get("Host")).isEqualTo("127.0.0.1:" + app.port());
      assertThat(copy.getHeaders().names()).noneMatch(name -> name.startsWith(":"));

      assertThat(client.newRequest(base + "/get?x=1").timeout(10, TimeUnit.SECONDS).send()
          .getContentAsString()).isEqualTo("ok");
      RecordedRequest get = shadow.take();
      assertThat(get.getTarget()).isEqualTo("/get?x=1");
      assertThat(get.getHeaders().get("Content-Length")).isNull();
      assertThat(get.getHeaders().get("Transfer-Encoding")).isNull();
    } finally {
      client.stop();
    }
  }
}
