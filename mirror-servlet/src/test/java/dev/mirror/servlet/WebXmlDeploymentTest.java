package dev.mirror.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mirror.core.testing.Shadow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The filter turned on by a real WEB-INF/web.xml with init-params only. */
class WebXmlDeploymentTest {

  private static Path webapp(Path dir, String shadow, String ratio) throws Exception {
    String xml = Files.readString(Path.of("src/test/resources/webapp/WEB-INF/web.xml"))
        .replace("@SHADOW@", shadow).replace("@RATIO@", ratio);
    Files.createDirectories(dir.resolve("WEB-INF"));
    Files.writeString(dir.resolve("WEB-INF/web.xml"), xml);
    return dir;
  }

  @Test
  void initParamsAlone_turnMirroringOn(@TempDir Path dir) throws Exception {
    try (Shadow shadow = Shadow.answering(200);
        Container jetty = Container.jettyWebapp(webapp(dir, shadow.address(), "1"))) {
      HttpClient client = HttpClient.newHttpClient();
      for (String path : new String[] {"/echo/login", "/echo/hello?x=1"}) {
        HttpResponse<String> answer = client.send(
            HttpRequest.newBuilder(URI.create(jetty.url(path))).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
      }
      assertThat(shadow.take().getTarget()).isEqualTo("/echo/hello?x=1");
      assertThat(shadow.server.getRequestCount()).isEqualTo(1);
    }
  }

  @Test
  void invalidInitParam_failsTheDeploymentNamingTheKey(@TempDir Path dir) {
    assertThatThrownBy(() -> Container.jettyWebapp(webapp(dir, "http://127.0.0.1:9", "1.5"))
        .close())
        .hasStackTraceContaining("mirror.sample-ratio: was 1.5, must be in [0.00001, 1]");
  }
}
