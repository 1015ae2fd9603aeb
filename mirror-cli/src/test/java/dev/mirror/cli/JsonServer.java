package dev.mirror.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** A JDK HttpServer on 127.0.0.1 answering JSON made from the request; counts what it got. */
final class JsonServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  final AtomicLong requests = new AtomicLong();
  final Map<String, AtomicLong> byPath = new ConcurrentHashMap<>();

  /** {@code answer} takes the request's method and path and returns the JSON body. */
  JsonServer(Function<HttpExchange, String> answer) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
    server.createContext("/", exchange -> {
      try (exchange) {
        exchange.getRequestBody().readAllBytes();
        requests.incrementAndGet();
        byPath.computeIfAbsent(exchange.getRequestURI().getRawPath(), p -> new AtomicLong())
            .incrementAndGet();
        byte[] body = answer.apply(exchange).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      } catch (IOException | RuntimeException e) {
        // the client went away
      }
    });
    server.setExecutor(threads);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
