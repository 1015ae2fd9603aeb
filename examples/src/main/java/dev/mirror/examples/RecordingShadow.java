package dev.mirror.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;

/**
 * A shadow service for the examples, on Jetty 12: answers 204 (after a delay, if asked), or as a
 * next version of the service would ({@link #running}), or never (a black hole), and remembers the
 * first requests it received so they can be shown next to what the client sent.
 */
public final class RecordingShadow implements AutoCloseable {

  /** What a shadow received. */
  public record Received(String method, String target, Map<String, List<String>> headers,
      byte[] body) {}

  private static final int KEPT = 50;

  /** A version of the service the shadow runs: a JSON answer, or null for 204. */
  public interface Service {
    String answer(String method, String path, UnaryOperator<String> parameters, byte[] body);
  }

  private final String name;
  private final Server server;
  private final ServerConnector connector;
  private final AtomicLong received = new AtomicLong();
  private final List<Received> first = new ArrayList<>();

  private RecordingShadow(String name, Duration delay, boolean blackHole, Service service)
      throws Exception {
    this.name = name;
    this.server = new Server();
    this.connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback)
          throws Exception {
        byte[] body = Content.Source.asInputStream(request).readAllBytes();
        record(request, body);
        if (blackHole) {
          return true; // never completes: the copy waits until the sender gives up
        }
        if (!delay.isZero()) {
          TimeUnit.MILLISECONDS.sleep(delay.toMillis()); // the shadow's own slowness, on purpose
        }
        String answer = service == null ? null : service.answer(request.getMethod(),
            request.getHttpURI().getPath(), parameters(request, body), body);
        if (answer == null) {
          response.setStatus(204);
          callback.succeeded();
        } else {
          response.setStatus(200);
          response.getHeaders().put("Content-Type", "application/json");
          response.write(true, java.nio.ByteBuffer.wrap(
              answer.getBytes(java.nio.charset.StandardCharsets.UTF_8)), callback);
        }
        return true;
      }
    });
    server.start();
  }

  private void record(Request request, byte[] body) {
    received.incrementAndGet();
    synchronized (first) {
      if (first.size() < KEPT) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (HttpField field : request.getHeaders()) {
          headers.computeIfAbsent(field.getName(), k -> new ArrayList<>()).add(field.getValue());
        }
        first.add(new Received(request.getMethod(), request.getHttpURI().getPathQuery(),
            headers, body));
      }
    }
  }

  /** A shadow that answers 204 at once. */
  public static RecordingShadow healthy(String name) throws Exception {
    return new RecordingShadow(name, Duration.ZERO, false, null);
  }

  /** A shadow that answers at once, as this version of the service does. */
  public static RecordingShadow running(String name, Service service) throws Exception {
    return new RecordingShadow(name, Duration.ZERO, false, service);
  }

  /** A shadow that answers after {@code delay}. */
  public static RecordingShadow slow(String name, Duration delay) throws Exception {
    return new RecordingShadow(name, delay, false, null);
  }

  /** A shadow that reads requests and never answers. */
  public static RecordingShadow blackHole(String name) throws Exception {
    return new RecordingShadow(name, Duration.ZERO, true, null);
  }

  /** The query's parameters, then a form body's. */
  private static UnaryOperator<String> parameters(Request request, byte[] body) {
    String query = request.getHttpURI().getQuery();
    String type = request.getHeaders().get("Content-Type");
    String form = type != null && type.startsWith("application/x-www-form-urlencoded")
        ? new String(body, java.nio.charset.StandardCharsets.UTF_8) : null;
    return name -> {
      String value = first(query, name);
      return value != null || form == null ? value : first(form, name);
    };
  }

  private static String first(String pairs, String name) {
    if (pairs == null) {
      return null;
    }
    for (String pair : pairs.split("&")) {
      int eq = pair.indexOf('=');
      String key = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq),
          java.nio.charset.StandardCharsets.UTF_8);
      if (key.equals(name)) {
        return eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1),
            java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  public String name() {
    return name;
  }

  public String address() {
    return "http://127.0.0.1:" + connector.getLocalPort();
  }

  public long received() {
    return received.get();
  }

  /** The first requests received (at most 50), in arrival order. */
  public List<Received> firstReceived() {
    synchronized (first) {
      return List.copyOf(first);
    }
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
