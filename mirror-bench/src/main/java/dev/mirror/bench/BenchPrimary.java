package dev.mirror.bench;

import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.servlet.MirrorFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The primary bench/load.sh measures: Jetty 12 answering "hello" on 127.0.0.1, with MirrorFilter
 * in front when {@code mirror.*} arguments are given. Usage: {@code BenchPrimary <port> [h2c]
 * [mirror.key=value ...]} ({@code h2c}: cleartext HTTP/2 too, for bench/h2-load.sh). On exit it prints the copies' counts; while it runs, {@code
 * http://127.0.0.1:<port + 1>/} answers the default target's counts as one line ({@code
 * submitted sent failed dropped inFlight}), for load.sh to measure the share of copies delivered in a
 * window.
 */
public final class BenchPrimary {

  private BenchPrimary() {}

  /** The application: as cheap as NGINX's {@code return 200 "hello\n"}. */
  public static final class Hello extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.US_ASCII);

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      resp.setContentType("text/plain");
      resp.setContentLength(HELLO.length);
      resp.getOutputStream().write(HELLO);
    }
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    boolean h2c = false;
    Map<String, String> keys = new LinkedHashMap<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("h2c")) {
        h2c = true; // cleartext HTTP/2 (prior knowledge) next to HTTP/1.1, for h2load
        continue;
      }
      int eq = args[i].indexOf('=');
      keys.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    Server server = new Server();
    org.eclipse.jetty.server.HttpConfiguration http = new org.eclipse.jetty.server.HttpConfiguration();
    ServerConnector connector = h2c
        ? new ServerConnector(server, new org.eclipse.jetty.server.HttpConnectionFactory(http),
            new org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory(http))
        : new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler("/");
    context.addServlet(new ServletHolder(new Hello()), "/*");
    MirrorEngine engine = keys.isEmpty() ? null : MirrorConfig.parse(keys).newEngine();
    if (engine != null) {
      FilterHolder filter = new FilterHolder(new MirrorFilter(engine));
      filter.setAsyncSupported(true);
      context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
    }
    server.setHandler(context);
    server.start();
    if (engine != null) {
      StatsPort.serve(engine, port + 1);
    }
    System.out.println("primary ready on " + port + (engine == null ? " (no mirroring)"
        : " mirroring to " + keys.get("mirror.host")));
    server.join();
  }
}
