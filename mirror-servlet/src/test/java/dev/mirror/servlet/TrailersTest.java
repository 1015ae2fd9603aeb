package dev.mirror.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.core.MirrorEngine;
import dev.mirror.core.testing.Shadow;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * Request trailers (chunked HTTP/1.1 here, as HTTP/2 carries them too) are left out of the copy
 * and counted, never merged into its headers; the body arrives whole.
 */
class TrailersTest {

  /** Reads the whole body, then answers with the trailer the application saw. */
  static final class ReadsTrailers extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      byte[] body = req.getInputStream().readAllBytes();
      String checksum = req.isTrailerFieldsReady() ? req.getTrailerFields().get("x-checksum")
          : null;
      resp.getWriter().write(body.length + " " + checksum);
    }
  }

  @Test
  void trailers_areLeftOutOfTheCopy_andCounted_onJetty() throws Exception {
    try (Shadow shadow = Shadow.answering(200)) {
      MirrorFilter filter = new MirrorFilter();
      try (Container app = Container.jetty(filter, new ReadsTrailers(),
          Map.of("mirror.host", shadow.address()))) {
        String answer;
        try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), app.port())) {
          OutputStream out = socket.getOutputStream();
          out.write(("POST /upload HTTP/1.1\r\nHost: shop.example\r\nTransfer-Encoding: chunked\r\n"
              + "Trailer: X-Checksum\r\nConnection: close\r\n\r\n"
              + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc123\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          InputStream in = socket.getInputStream();
          answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(answer).startsWith("HTTP/1.1 200").endsWith("11 abc123");

        RecordedRequest copy = shadow.take();
        assertThat(copy.getBody().utf8()).isEqualTo("hello world");
        assertThat(copy.getHeaders().get("X-Checksum")).isNull();
        MirrorEngine engine = (MirrorEngine) filter.dispatcher();
        await().atMost(Duration.ofSeconds(10))
            .until(() -> engine.stats().policies().get(0).trailersLeftOut() == 1);
      }
    }
  }
}
