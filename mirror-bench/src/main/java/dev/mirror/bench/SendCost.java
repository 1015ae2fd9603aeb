package dev.mirror.bench;

import dev.mirror.core.transport.JdkHttpTransport;
import dev.mirror.core.transport.NioHttpTransport;
import dev.mirror.transport.jetty.JettyTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.reactor.IOReactorConfig;

/**
 * The send path's candidates side by side in one JVM, one after another (a quick look; {@link
 * SenderComparison} is the like-for-like comparison, one JVM per candidate): each sends {@code GET
 * /x?i=N} to one shadow with 16 requests in flight for a fixed time after a 2 s warm-up, the next
 * request started from the completion of the last (as a copy is), and reports requests per second
 * and this JVM's CPU per request (process CPU time, so the shadow's own CPU is not counted).
 * Usage: {@code SendCost <shadow base URL> [seconds] [candidate ...]}; candidates: nio, jdk,
 * jdk-same-thread, jetty, apache (HttpClient 5's full async client and its pool), netty (16
 * connections, one request each).
 */
public final class SendCost {

  private static final int IN_FLIGHT = 16;

  private SendCost() {}

  public static void main(String[] args) throws Exception {
    URI base = URI.create(args[0]);
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    String[] names = args.length > 2
        ? java.util.Arrays.copyOfRange(args, 2, args.length)
        : new String[] {"nio", "jdk", "jdk-same-thread", "jetty", "apache", "netty"};
    RequestShape get = RequestShape.named("get", base, null, null);
    System.out.println("| candidate | req/s | CPU per request (µs) | failed |");
    System.out.println("|---|---:|---:|---:|");
    for (String name : names) {
      try (Candidate candidate = candidate(name, get)) {
        SendLoop.Window w = SendLoop.measure(candidate, IN_FLIGHT, IN_FLIGHT, 2, seconds);
        System.out.printf("| %s | %,.0f | %.1f | %d |%n", name, w.requestsPerSecond(),
            w.cpuMicrosPerRequest(), w.failed());
      }
    }
    System.exit(0);
  }

  private static Candidate candidate(String name, RequestShape get) throws Exception {
    return switch (name) {
      case "nio" -> new MirrorTransportCandidate(NioHttpTransport.create(), get);
      case "jdk" -> new MirrorTransportCandidate(JdkHttpTransport.create(), get);
      case "jetty" -> new MirrorTransportCandidate(JettyTransport.create(), get);
      case "jdk-same-thread" -> jdkSameThread(get.base());
      case "apache" -> apache(get.base());
      case "netty" -> new NettyHttp1Candidate(get, IN_FLIGHT, false);
      default -> throw new IllegalArgumentException("candidate: was " + name
          + ", must be nio, jdk, jdk-same-thread, jetty, apache or netty");
    };
  }

  private static Candidate jdkSameThread(URI base) {
    HttpClient client = HttpClient.newBuilder().executor(Runnable::run)
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(1)).build();
    return new Candidate() {
      @Override
      public void send(long i, Completion completion) {
        client.sendAsync(HttpRequest.newBuilder(base.resolve("/x?i=" + i)).build(),
            HttpResponse.BodyHandlers.discarding())
            .whenComplete((r, e) -> completion.done(e == null));
      }

      @Override
      public void close() {}
    };
  }

  private static Candidate apache(URI base) {
    CloseableHttpAsyncClient client = HttpAsyncClients.custom()
        .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
        .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
            .setMaxConnTotal(IN_FLIGHT).setMaxConnPerRoute(IN_FLIGHT).build())
        .build();
    client.start();
    return new Candidate() {
      @Override
      public void send(long i, Completion completion) {
        client.execute(SimpleRequestBuilder.get(base.resolve("/x?i=" + i)).build(),
            new FutureCallback<SimpleHttpResponse>() {
              @Override
              public void completed(SimpleHttpResponse result) {
                completion.done(true);
              }

              @Override
              public void failed(Exception ex) {
                completion.done(false);
              }

              @Override
              public void cancelled() {
                completion.done(false);
              }
            });
      }

      @Override
      public void close() throws Exception {
        client.close();
      }
    };
  }
}
