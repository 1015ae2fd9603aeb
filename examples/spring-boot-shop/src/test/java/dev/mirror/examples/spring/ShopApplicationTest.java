package dev.mirror.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mirror.core.testing.Shadow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The example as a user runs it, with mirror.host pointed at a recording shadow. */
class ShopApplicationTest {

  @Test
  void theShop_isMirrored_fromApplicationPropertiesAlone() throws Exception {
    try (Shadow shadow = Shadow.answering(200);
        ConfigurableApplicationContext app = new SpringApplicationBuilder(ShopApplication.class)
            .run("--server.port=0", "--server.address=127.0.0.1",
                "--mirror.host=" + shadow.address())) {
      int port = ((WebServerApplicationContext) app).getWebServer().getPort();
      HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/orders"))
          .header("Content-Type", "application/json")
          .header("Authorization", "Bearer secret")
          .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"A-1\",\"qty\":2}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(answer.body()).isEqualTo("order A-1 x2");
      RecordedRequest copy = shadow.server.takeRequest(10, TimeUnit.SECONDS);
      assertThat(copy).as("a copy at the shadow").isNotNull();
      assertThat(copy.getBody().utf8()).isEqualTo("{\"sku\":\"A-1\",\"qty\":2}");
      assertThat(copy.getHeaders().get("Authorization")).isEqualTo("[masked]");
    }
  }

  @Test
  void mirrorsMeters_areInPrometheusOutput_withTheStarterAlone() throws Exception {
    // The shop depends on the starter, Actuator and micrometer-registry-prometheus, not on
    // mirror-micrometer: the starter brings what its auto-configuration needs.
    assertThat(getClass().getClassLoader().getResource("dev/mirror/micrometer/MirrorMetrics.class"))
        .as("mirror-micrometer, through the starter").isNotNull();
    try (Shadow shadow = Shadow.answering(200);
        ConfigurableApplicationContext app = new SpringApplicationBuilder(ShopApplication.class)
            .run("--server.port=0", "--server.address=127.0.0.1",
                "--mirror.host=" + shadow.address(),
                "--management.endpoints.web.exposure.include=health,prometheus")) {
      int port = ((WebServerApplicationContext) app).getWebServer().getPort();
      HttpClient client = HttpClient.newHttpClient();
      client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/orders"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"sku\":\"A-1\",\"qty\":2}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(shadow.server.takeRequest(10, TimeUnit.SECONDS)).isNotNull();
      HttpResponse<String> scrape = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.body()).contains("mirror_");
    }
  }
}
