package dev.mirror.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.core.stats.ComparisonReport;
import dev.mirror.core.MirrorEngine;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The filter keeps a compared request's answer as the application writes it (through the writer
 * or the stream), byte for byte, and the engine reports how the shadow's differs; the client's
 * answer is unchanged. On Jetty and Tomcat.
 */
class ComparisonFilterTest {

  /** The application: the same order by the writer (/w/...) or the stream (/s/...). */
  static final class Orders extends HttpServlet {
    static final String ORDER = "{\"id\":7,\"status\":\"paid\",\"total\":10}";

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("application/json");
      resp.setCharacterEncoding("UTF-8");
      if (req.getRequestURI().startsWith("/w/")) {
        resp.getWriter().write(ORDER);
      } else {
        resp.getOutputStream().write(ORDER.getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"jetty", "tomcat"})
  void theShadowsDifferentField_isReported_andTheClientsAnswerIsUnchanged(String container)
      throws Exception {
    try (MockWebServer shadow = new MockWebServer()) {
      shadow.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest request) {
          return new MockResponse.Builder().code(200).addHeader("Content-Type",
              "application/json").body("{\"id\":7,\"status\":\"PAID\",\"total\":10}").build();
        }
      });
      shadow.start(InetAddress.getByName("127.0.0.1"), 0);
      MirrorFilter filter = new MirrorFilter();
      Map<String, String> params = Map.of(
          "mirror.host", "http://127.0.0.1:" + shadow.getPort(),
          "mirror.compare", "true");
      try (Container app = container.equals("jetty") ? Container.jetty(filter, new Orders(), params)
          : Container.tomcat(filter, new Orders(), params)) {
        HttpClient client = HttpClient.newHttpClient();
        for (String path : new String[] {"/w/orders/7", "/s/orders/7"}) {
          HttpResponse<String> answer = client.send(HttpRequest.newBuilder(
              URI.create(app.url(path))).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
          assertThat(answer.body()).isEqualTo(Orders.ORDER);
        }

        MirrorEngine engine = (MirrorEngine) filter.dispatcher();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> engine.comparisons().policies().get(0).compared() == 2);
        ComparisonReport.PolicyReport report = engine.comparisons().policies().get(0);
        assertThat(report.mismatched()).isEqualTo(2);
        assertThat(report.endpoints()).extracting(ComparisonReport.EndpointReport::endpoint)
            .containsExactlyInAnyOrder("GET /w/orders/{id}", "GET /s/orders/{id}");
        for (ComparisonReport.EndpointReport endpoint : report.endpoints()) {
          assertThat(endpoint.fields()).singleElement().satisfies(field -> {
            assertThat(field.field()).isEqualTo("/status");
            assertThat(field.samples().get(0).primary()).isEqualTo("\"paid\"");
            assertThat(field.samples().get(0).shadow()).isEqualTo("\"PAID\"");
          });
        }
      }
    }
  }
}
