package dev.mirror.bench;

import com.sun.net.httpserver.HttpServer;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.TargetStats;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A primary's copy counts for the load scripts: {@code http://127.0.0.1:<port>/} answers the
 * default target's {@code submitted sent failed dropped inFlight} as one line, and the counts are
 * printed at exit, with the reasons.
 */
final class StatsPort {

  private StatsPort() {}

  static void serve(MirrorEngine engine, int port) throws IOException {
    HttpServer stats = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
    stats.createContext("/", exchange -> {
      TargetStats t = engine.stats().target("default");
      byte[] line = (t.offered() + " " + t.sent() + " " + t.failedTotal() + " "
          + t.droppedTotal() + " " + t.inFlight() + "\n").getBytes(StandardCharsets.US_ASCII);
      exchange.sendResponseHeaders(200, line.length);
      exchange.getResponseBody().write(line);
      exchange.close();
    });
    stats.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      TargetStats t = engine.stats().target("default");
      System.out.printf("copies: submitted=%d sent=%d failed=%d dropped=%d %s %s%n",
          t.offered(), t.sent(), t.failedTotal(), t.droppedTotal(), t.dropped(), t.failed());
    }));
  }
}
