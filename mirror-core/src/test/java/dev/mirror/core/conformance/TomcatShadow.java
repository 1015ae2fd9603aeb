package dev.mirror.core.conformance;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * Embedded Tomcat's NIO connector, with {@code maxKeepAliveRequests=5}: Tomcat itself closes
 * every connection after its fifth answer, pipelined requests behind it unread.
 */
final class TomcatShadow implements ShadowServer {

  /** Kept so that the level set on it is not lost to garbage collection. */
  private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");

  private final Tomcat tomcat = new Tomcat();
  private final Connector connector = new Connector("HTTP/1.1");
  private final Path baseDir;

  TomcatShadow(VerifyingLedger ledger) throws Exception {
    TOMCAT_LOG.setLevel(Level.WARNING);
    Rules rules = new Rules(ledger);
    baseDir = Files.createTempDirectory("conformance-tomcat");
    tomcat.setBaseDir(baseDir.toString());
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    connector.setProperty("maxKeepAliveRequests", "5");
    tomcat.setConnector(connector);
    Context context = tomcat.addContext("", baseDir.toString());
    Tomcat.addServlet(context, "shadow", new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void service(HttpServletRequest request, HttpServletResponse response)
          throws IOException {
        String id = request.getHeader(VerifyingLedger.COPY_HEADER);
        request.getInputStream().readAllBytes();
        Reply reply = rules.serve(id, request.getRequestURI());
        response.setStatus(200);
        response.setHeader(VerifyingLedger.COPY_HEADER, String.valueOf(id));
        response.setContentLength(reply.body().length);
        if (reply.close()) {
          response.setHeader("Connection", "close");
        }
        response.getOutputStream().write(reply.body());
      }
    });
    context.addServletMapping("/*", "shadow");
    tomcat.start();
  }

  @Override
  public String address() {
    return "http://127.0.0.1:" + connector.getLocalPort();
  }

  @Override
  public void close() {
    try {
      tomcat.stop();
      tomcat.destroy();
    } catch (LifecycleException e) {
      throw new IllegalStateException(e);
    } finally {
      try (Stream<Path> files = Files.walk(baseDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // a temporary directory: the OS cleans up
      }
    }
  }
}
