package dev.mirror.core.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** A MockWebServer on 127.0.0.1 that answers every request the same way. */
public final class Shadow implements AutoCloseable {

  public final MockWebServer server = new MockWebServer();

  public Shadow(MockResponse response) throws IOException {
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        return response;
      }
    });
    server.start(InetAddress.getByName("127.0.0.1"), 0);
  }

  /** A shadow that answers 200 after {@code millis}. */
  public static Shadow slow(long millis) throws IOException {
    return new Shadow(new MockResponse.Builder().code(200).body("slow")
        .headersDelay(millis, java.util.concurrent.TimeUnit.MILLISECONDS).build());
  }

  public static Shadow answering(int status) throws IOException {
    return new Shadow(new MockResponse.Builder().code(status).body("shadow").build());
  }

  public String address() {
    return "http://127.0.0.1:" + server.getPort();
  }

  public RecordedRequest take() throws InterruptedException {
    RecordedRequest request = server.takeRequest(10, TimeUnit.SECONDS);
    if (request == null) {
      throw new AssertionError("the shadow received no request within 10 s");
    }
    return request;
  }

  @Override
  public void close() {
    server.close();
  }
}
