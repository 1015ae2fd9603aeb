package dev.mirror.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.testing.Shadow;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import mockwebserver3.RecordedRequest;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 28, first finding: with README's set-up (filter on {@code /*}, admin servlet on {@code
 * /api/v1/gateway/*}, nothing excluded), admin calls, their bearer token included, reached the
 * shadow. Now the filter knows which servlet serves a call and leaves the admin servlet's alone.
 */
class AdminCallsNeverMirroredTest {

  private final HttpClient client = HttpClient.newHttpClient();

  @Test
  void readmeWebXml_adminCallsProduceNoCopy_onJetty(@TempDir Path dir) throws Exception {
    String token = "admin-token-" + System.nanoTime();
    Path tokenFile = Files.writeString(dir.resolve("token"), token + "\n");
    try (Shadow shadow = Shadow.answering(200)) {
      Path webapp = dir.resolve("webapp");
      Files.createDirectories(webapp.resolve("WEB-INF"));
      Files.writeString(webapp.resolve("WEB-INF/web.xml"),
          Files.readString(Path.of("src/test/resources/webapp-readme/WEB-INF/web.xml"))
              .replace("@SHADOW@", shadow.address())
              .replace("@TOKEN_FILE@", tokenFile.toString()));
      try (Container jetty = Container.jettyWebapp(webapp)) {
        adminCallsThenOneAppRequest(jetty.url("/api/v1/gateway"), token, jetty.url("/echo/after"),
            shadow);
      }
    }
  }

  @Test
  void adminServletRegisteredInCode_underAnyPath_producesNoCopy_onTomcat(@TempDir Path dir)
      throws Exception {
    String token = "admin-token-" + System.nanoTime();
    try (Shadow shadow = Shadow.answering(200)) {
      Tomcat tomcat = new Tomcat();
      tomcat.setBaseDir(dir.toString());
      Connector connector = new Connector();
      connector.setPort(0);
      connector.setProperty("address", "127.0.0.1");
      tomcat.getService().addConnector(connector);
      tomcat.setConnector(connector);
      Context context = tomcat.addContext("", dir.toString());
      Tomcat.addServlet(context, "app", new TestApp()).setAsyncSupported(true);
      context.addServletMappingDecoded("/*", "app");
      Wrapper control = Tomcat.addServlet(context, "control", new MirrorAdminServlet());
      control.addInitParameter("mirror.admin.token", token);
      context.addServletMappingDecoded("/ops/*", "control");
      FilterDef def = new FilterDef();
      def.setFilterName("mirror");
      def.setFilter(new MirrorFilter());
      def.setAsyncSupported("true");
      def.addInitParameter("mirror.host", shadow.address());
      context.addFilterDef(def);
      FilterMap map = new FilterMap();
      map.setFilterName("mirror");
      map.addURLPattern("/*");
      context.addFilterMap(map);
      tomcat.start();
      try {
        String base = "http://127.0.0.1:" + connector.getLocalPort();
        adminCallsThenOneAppRequest(base + "/ops", token, base + "/echo/after", shadow);
      } finally {
        tomcat.stop();
        tomcat.destroy();
      }
    }
  }

  @Test
  void pathsNamedNeverMirrored_areNotMirrored_whateverThePolicySays() throws Exception {
    try (Shadow shadow = Shadow.answering(200);
        MirrorEngine engine = MirrorConfig.parse(Map.of("mirror.host", shadow.address()))
            .newEngine()) {
      Server server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler("/");
      context.addServlet(new ServletHolder(new TestApp()), "/*");
      context.addFilter(new FilterHolder(new MirrorFilter(engine, List.of("/actuator/**"))),
          "/*", EnumSet.of(DispatcherType.REQUEST));
      server.setHandler(context);
      server.start();
      try {
        String base = "http://127.0.0.1:" + connector.getLocalPort();
        assertThat(get(base + "/actuator/health", null).statusCode()).isEqualTo(200);
        assertThat(get(base + "/actuator", null).statusCode()).isEqualTo(200);
        assertThat(get(base + "/echo/after", null).statusCode()).isEqualTo(200);
        assertThat(shadow.take().getTarget()).isEqualTo("/echo/after");
        await().atMost(Duration.ofSeconds(10))
            .until(() -> engine.stats().target("default").inFlight() == 0);
        assertThat(shadow.server.getRequestCount()).isEqualTo(1);
        assertThat(engine.stats().requests()).as("never even offered").isEqualTo(1);
      } finally {
        server.stop();
      }
    }
  }

  /**
   * Reads, changes and reads again through the endpoint (each with the bearer token), then sends
   * one application request: the shadow receives that one, and nothing of the admin calls.
   */
  private void adminCallsThenOneAppRequest(String admin, String token, String app, Shadow shadow)
      throws Exception {
    assertThat(get(admin + "/routes", token).statusCode()).isEqualTo(200);
    HttpResponse<String> change = client.send(HttpRequest.newBuilder(URI.create(admin
            + "/routes/default/mirror"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"mirror.timeout.read\": \"1s\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(change.statusCode()).as(change.body()).isEqualTo(200);
    assertThat(get(admin + "/stats", token).statusCode()).isEqualTo(200);

    assertThat(get(app, null).statusCode()).isEqualTo(200);
    RecordedRequest copy = shadow.take();
    assertThat(copy.getTarget()).isEqualTo(URI.create(app).getPath());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> get(admin + "/stats", token).body().contains("\"inFlight\":0"));
    String stats = get(admin + "/stats", token).body();
    assertThat(stats).as("the engine was asked about the application's request only")
        .contains("\"requests\":1,");
    assertThat(shadow.server.getRequestCount()).isEqualTo(1);
    assertThat(copy.getHeaders().get("Authorization")).isNull();
  }

  private HttpResponse<String> get(String url, String bearer) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
        .timeout(Duration.ofSeconds(10));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
