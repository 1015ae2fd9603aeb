package dev.mirror.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.PolicyStats;
import dev.mirror.core.testing.Shadow;
import dev.mirror.core.stats.TargetStats;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request shapes that must break neither the filter nor the primary, sent byte by byte on raw
 * sockets to Jetty with and without the filter: the answers must match, and whatever happens to
 * the copy must be counted, never thrown.
 */
class BadRequestShapesTest {

  private Shadow shadow;
  private MirrorEngine engine;
  private Container on;
  private Container off;

  @BeforeEach
  void start() throws Exception {
    shadow = new Shadow(new mockwebserver3.MockResponse.Builder().code(405).build());
    engine = MirrorConfig.parse(Map.of("mirror.host", shadow.address(),
        "mirror.close-timeout", "500ms")).newEngine();
    on = Container.jetty(new MirrorFilter(engine), new TestApp());
    off = Container.jetty(null, new TestApp());
  }

  @AfterEach
  void stop() throws Exception {
    on.close();
    off.close();
    engine.close();
    shadow.close();
  }

  @AfterAll
  static void writeRecord() {
    ReliabilityRecord.write();
  }

  record Shape(String name, byte[] request) {
    @Override
    public String toString() {
      return name;
    }
  }

  static byte[] bytes(String head, byte[]... more) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
    for (byte[] b : more) {
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  static Stream<Shape> shapes() {
    String big = "v".repeat(6_000);
    String tooBig = "v".repeat(20_000);
    return Stream.of(
        new Shape("very large header (6 KB)", bytes("GET /echo/big HTTP/1.1\r\nHost: a\r\n"
            + "X-Big: " + big + "\r\nConnection: close\r\n\r\n")),
        new Shape("header over the container's limit (20 KB)", bytes("GET /echo/huge HTTP/1.1\r\n"
            + "Host: a\r\nX-Big: " + tooBig + "\r\nConnection: close\r\n\r\n")),
        new Shape("invalid percent-encoding in the path", bytes("GET /echo/a%zz%2 HTTP/1.1\r\n"
            + "Host: a\r\nConnection: close\r\n\r\n")),
        new Shape("invalid percent-encoding in the query", bytes("GET /echo/q?a=%zz&b=%E2%9C"
            + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")),
        new Shape("non-UTF-8 bytes in the path", bytes("GET /echo/", new byte[] {(byte) 0xff,
            (byte) 0xfe, 'x'}, " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII))),
        new Shape("non-UTF-8 bytes in a header", bytes("GET /echo/h HTTP/1.1\r\nHost: a\r\n"
            + "X-Bin: ", new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0x80},
            "\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII))),
        new Shape("method the shadow rejects (BREW)", bytes("BREW /echo/pot HTTP/1.1\r\n"
            + "Host: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\ntea")),
        new Shape("body shorter than its Content-Length, then close", bytes("POST /echo/short"
            + " HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\nConnection: close\r\n\r\nonly-this")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void shape_answersAsWithoutTheFilter_andTheCopyIsCountedNotThrown(Shape shape) throws Exception {
    String withMirror = exchange(on, shape.request());
    String without = exchange(off, shape.request());
    assertThat(withMirror).isEqualTo(without);

    await().atMost(Duration.ofSeconds(10)).until(() -> {
      PolicyStats p = engine.stats().policy("default");
      TargetStats t = p.target("default");
      return t.inFlight() == 0 && t.sent() + t.failedTotal() + t.droppedTotal()
          + t.sampledOut() + p.sampledOut() + p.filteredOut() == p.submitted();
    });
    TargetStats stats = engine.stats().target("default");
    assertThat(engine.stats().errors()).as("internal errors").isZero();
    ReliabilityRecord.row("Bad request shapes", shape.name(),
        "same answer as without the filter: " + statusLine(without),
        engine.stats().policy("default").submitted() == 0 ? "never reached the filter"
            : ShadowFaultsTest.describe(stats));
  }

  /** Sends raw bytes, half-closes, and returns status line and body (headers such as Date vary). */
  static String exchange(Container container, byte[] request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", container.port())) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      socket.shutdownOutput();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      int headEnd = response.indexOf("\r\n\r\n");
      String statusLine = response.substring(0, Math.max(0, response.indexOf("\r\n")));
      String body = headEnd < 0 ? "" : response.substring(headEnd + 4);
      List<String> parts = new ArrayList<>();
      parts.add(statusLine);
      parts.add(body);
      return String.join("\n", parts);
    }
  }

  private static String statusLine(String exchange) {
    int newline = exchange.indexOf('\n');
    return newline < 0 ? exchange : exchange.substring(0, newline);
  }
}
