package dev.mirror.jaxrs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.core.stats.ComparisonReport;
import dev.mirror.core.MirrorEngine;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The feature keeps a compared request's answer as its entity is written (and a bodiless one at
 * the response filter), and the engine reports how the shadow's differs. On Jersey and RESTEasy.
 */
class ComparisonFeatureTest {

  static final String ORDER = "{\"id\":7,\"status\":\"paid\",\"total\":10}";

  @Path("/")
  public static class Orders {
    @GET
    @Path("orders/{id}")
    @Produces("application/json")
    public String order() {
      return ORDER;
    }

    @GET
    @Path("gone")
    public Response gone() {
      return Response.status(410).build();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"jersey", "resteasy"})
  void differences_areReportedForEntitiesAndBodilessAnswers(String implementation)
      throws Exception {
    try (MockWebServer shadow = new MockWebServer()) {
      shadow.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return request.getUrl().encodedPath().equals("/gone")
              ? new MockResponse.Builder().code(404).build()
              : new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                  .body("{\"id\":7,\"status\":\"PAID\",\"total\":10}").build();
        }
      });
      shadow.start(InetAddress.getByName("127.0.0.1"), 0);
      MirrorFeature feature = new MirrorFeature();
      var application = JaxrsServer.application(Set.of(Orders.class), Set.of(feature), Map.of(
          "mirror.host", "http://127.0.0.1:" + shadow.getPort(),
          "mirror.compare", "true"));
      try (JaxrsServer server = implementation.equals("jersey") ? JaxrsServer.jersey(application)
          : JaxrsServer.resteasy(application)) {
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<String> answer = client.send(HttpRequest.newBuilder(
            URI.create(server.url("/orders/7"))).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertThat(answer.body()).isEqualTo(ORDER);
        assertThat(client.send(HttpRequest.newBuilder(URI.create(server.url("/gone")))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())
            .statusCode()).isEqualTo(410);

        MirrorEngine engine = (MirrorEngine) feature.dispatcher();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> engine.comparisons().policies().get(0).compared() == 2);
        ComparisonReport.PolicyReport report = engine.comparisons().policies().get(0);
        assertThat(report.mismatched()).isEqualTo(2);
        for (ComparisonReport.EndpointReport endpoint : report.endpoints()) {
          if (endpoint.endpoint().equals("GET /orders/{id}")) {
            assertThat(endpoint.fields()).extracting(ComparisonReport.FieldReport::field)
                .containsExactly("/status");
          } else {
            assertThat(endpoint.endpoint()).isEqualTo("GET /gone");
            assertThat(endpoint.fields()).extracting(ComparisonReport.FieldReport::field)
                .contains("status");
          }
        }
      }
    }
  }
}
