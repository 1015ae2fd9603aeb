package dev.mirror.servlet;

import dev.mirror.core.testing.AdminEndpointScenario;
import dev.mirror.core.testing.Shadow;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MirrorAdminServlet from a real web.xml on Jetty, driving the filter's engine. */
class AdminServletTest {

  @Test
  void seedsRequest_movesTheRoute_deleteStopsIt_refusalsAsSpecified(@TempDir Path dir)
      throws Exception {
    String token = "t0ken-" + System.nanoTime();
    Path tokenFile = Files.writeString(dir.resolve("token"), token + "\n");
    try (Shadow first = Shadow.answering(200); Shadow second = Shadow.answering(200)) {
      Path webapp = dir.resolve("webapp");
      Files.createDirectories(webapp.resolve("WEB-INF"));
      Files.writeString(webapp.resolve("WEB-INF/web.xml"),
          Files.readString(Path.of("src/test/resources/webapp-admin/WEB-INF/web.xml"))
              .replace("@SHADOW@", first.address())
              .replace("@ALLOWED@", second.address())
              .replace("@TOKEN_FILE@", tokenFile.toString()));
      try (Container jetty = Container.jettyWebapp(webapp)) {
        new AdminEndpointScenario(jetty.url("/api/v1/gateway"), token,
            i -> jetty.url("/echo/hello?i=" + i)).run(first, second);
      }
    }
  }
}
