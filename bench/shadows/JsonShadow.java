import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * A JSON shadow for bench/cli-replay.sh, run as a single-file program: {@code java
 * bench/shadows/JsonShadow.java PORT [DELTA]}. Answers every request with a small JSON document
 * that carries noise (a timestamp and a random id) and a {@code total} shifted by DELTA (default
 * 0), so that a gate sees one differing field when DELTA is not 0.
 */
public final class JsonShadow {
  public static void main(String[] args) throws Exception {
    int delta = args.length > 1 ? Integer.parseInt(args[1]) : 0;
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1",
        Integer.parseInt(args[0])), 1024);
    server.createContext("/", exchange -> {
      try (exchange) {
        exchange.getRequestBody().readAllBytes();
        String path = exchange.getRequestURI().getRawPath();
        byte[] body = ("{\"path\":\"" + path + "\",\"total\":" + (path.length() + delta)
            + ",\"generatedAt\":" + System.nanoTime() + ",\"trace\":\"" + UUID.randomUUID()
            + "\"}").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    System.out.println("json shadow on " + args[0]);
  }
}
