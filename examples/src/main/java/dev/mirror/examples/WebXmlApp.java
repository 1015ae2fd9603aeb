package dev.mirror.examples;

import dev.mirror.core.MirrorEngine;
import dev.mirror.servlet.MirrorFilter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Example: a WAR-style application whose {@code WEB-INF/web.xml} turns mirroring on with
 * init-params only, deployed on Jetty 12. The demo's primary service.
 */
public final class WebXmlApp implements AutoCloseable {

  private final Server server;
  private final ServerConnector connector;
  private final WebAppContext webapp;
  private final String webXml;

  private WebXmlApp(Server server, ServerConnector connector, WebAppContext webapp, String webXml) {
    this.server = server;
    this.connector = connector;
    this.webapp = webapp;
    this.webXml = webXml;
  }

  /**
   * Deploys the bundled webapp on 127.0.0.1.
   *
   * @param placeholders values for the {@code @NAME@} placeholders in web.xml
   * @param port the port, or 0 for any free one
   */
  public static WebXmlApp start(Map<String, String> placeholders, int port) throws Exception {
    String xml;
    try (InputStream in = WebXmlApp.class.getResourceAsStream("/webapp/WEB-INF/web.xml")) {
      xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (Map.Entry<String, String> p : placeholders.entrySet()) {
      xml = xml.replace("@" + p.getKey() + "@", p.getValue());
    }
    Path dir = Files.createTempDirectory("mirror-webapp");
    Files.createDirectories(dir.resolve("WEB-INF"));
    Files.writeString(dir.resolve("WEB-INF/web.xml"), xml);
    dir.toFile().deleteOnExit();

    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    WebAppContext webapp = new WebAppContext(dir.toString(), "/");
    webapp.setParentLoaderPriority(true);
    webapp.setThrowUnavailableOnStartupException(true);
    server.setHandler(webapp);
    server.start();
    return new WebXmlApp(server, connector, webapp, xml);
  }

  /** The engine the filter built from web.xml, published by the filter under its name. */
  public MirrorEngine engine() {
    return (MirrorEngine) webapp.getServletContext()
        .getAttribute(MirrorFilter.ENGINE_ATTRIBUTE_PREFIX + "mirror");
  }

  public String url(String pathAndQuery) {
    return "http://127.0.0.1:" + connector.getLocalPort() + pathAndQuery;
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** The web.xml as deployed. */
  public String webXml() {
    return webXml;
  }

  public void join() throws InterruptedException {
    server.join();
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }

  /** Runs the application alone, mirroring to a shadow address given as the first argument. */
  public static void main(String[] args) throws Exception {
    String shadow = args.length > 0 ? args[0] : "http://127.0.0.1:9797";
    try (WebXmlApp app = start(Map.of("V2", shadow, "V2_SLOW", shadow), 8080)) {
      System.out.println("Serving " + app.url("/api/products?q=shoes") + ", mirroring to " + shadow);
      app.join();
    } catch (IOException e) {
      System.err.println("Could not start: " + e.getMessage());
    }
  }
}
