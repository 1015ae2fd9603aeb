package dev.mirror.core;

import dev.mirror.api.Headers;
import dev.mirror.api.HttpVersion;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default transport: the JDK's {@link HttpClient}, HTTP/1.1 or HTTP/2, http or https.
 *
 * <p>One client per distinct setting (connect timeout, HTTP version, TLS context), shared by every
 * target with that setting. Response bodies are discarded as they stream in, never buffered. No
 * redirects are followed and no cookies kept.
 *
 * <p><b>Host header.</b> The JDK client refuses to set {@code Host} unless the JVM was started with
 * {@code -Djdk.httpclient.allowRestrictedHeaders=host}. Without it, copies carry the target's own
 * host (the client's original is still in {@code X-Forwarded-Host}), and this is logged once.
 */
public final class HttpTransport implements MirrorTransport {

  private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);

  /** Threads completing the clients' exchanges: {@value}. */
  public static final int DEFAULT_THREADS = 2;

  private static final boolean HOST_ALLOWED = probeHostAllowed();

  private final ExecutorService executor;
  private final Map<ClientKey, HttpClient> clients = new ConcurrentHashMap<>();
  private final AtomicBoolean hostWarned = new AtomicBoolean();

  private HttpTransport(int threads) {
    // A fixed pool: the work it gets is bounded by the engine's in-flight caps.
    this.executor = Executors.newFixedThreadPool(threads, new NamedDaemonThreads("mirror-http"));
  }

  /** Returns a transport with {@value #DEFAULT_THREADS} threads. */
  public static HttpTransport create() {
    return new HttpTransport(DEFAULT_THREADS);
  }

  /**
   * Returns a transport whose clients complete exchanges on this many threads.
   *
   * @throws IllegalArgumentException if threads is not in [1, 64]
   */
  public static HttpTransport create(int threads) {
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("threads: was " + threads + ", must be in [1, 64]");
    }
    return new HttpTransport(threads);
  }

  /**
   * Returns true if this JVM lets the JDK client send a {@code Host} header of our choosing
   * ({@code -Djdk.httpclient.allowRestrictedHeaders=host}).
   */
  public static boolean canSetHostHeader() {
    return HOST_ALLOWED;
  }

  @Override
  public CompletableFuture<ShadowResponse> send(ShadowRequest copy) {
    MirrorTarget target = copy.target();
    HttpRequest.Builder request = HttpRequest.newBuilder(copy.uri())
        .timeout(target.readTimeout())
        .method(copy.method(), publisher(copy.body()));
    Headers headers = copy.headers();
    for (int i = 0; i < headers.size(); i++) {
      String name = headers.name(i);
      if (name.equalsIgnoreCase("Host")) {
        if (HOST_ALLOWED) {
          request.setHeader("Host", headers.value(i));
        } else if (hostWarned.compareAndSet(false, true)) {
          LOG.warn("Copies carry the target's Host, not the client's: the JDK HttpClient sets Host"
              + " only when the JVM runs with -Djdk.httpclient.allowRestrictedHeaders=host"
              + " (the original stays in X-Forwarded-Host).");
        }
        continue;
      }
      request.header(name, headers.value(i));
    }
    return client(target)
        .sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
        .thenApply(response -> new ShadowResponse(response.statusCode(), headers(response)));
  }

  private HttpClient client(MirrorTarget target) {
    ClientKey key = new ClientKey(target.connectTimeout(), target.httpVersion(), target.sslContext());
    return clients.computeIfAbsent(key, this::newClient);
  }

  private HttpClient newClient(ClientKey key) {
    HttpClient.Builder builder = HttpClient.newBuilder()
        .connectTimeout(key.connectTimeout())
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(key.version() == HttpVersion.HTTP_2
            ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
        .executor(executor);
    if (key.sslContext() != null) {
      builder.sslContext(key.sslContext());
    }
    return builder.build();
  }

  private static Headers headers(HttpResponse<?> response) {
    Headers.Builder out = Headers.builder();
    for (Map.Entry<String, List<String>> field : response.headers().map().entrySet()) {
      if (field.getKey().startsWith(":")) {
        continue;
      }
      for (String value : field.getValue()) {
        out.add(field.getKey(), value);
      }
    }
    return out.build();
  }

  /** Publishes the read-only body as it is: no copy per exchange, a fresh view per subscriber. */
  private static HttpRequest.BodyPublisher publisher(ByteBuffer body) {
    if (!body.hasRemaining()) {
      return HttpRequest.BodyPublishers.noBody();
    }
    return HttpRequest.BodyPublishers.fromPublisher(new OneBuffer(body), body.remaining());
  }

  /** Stops the threads and closes the clients (on JDKs where clients can be closed, 21+). */
  @Override
  public void close() {
    for (HttpClient client : clients.values()) {
      if (client instanceof AutoCloseable) {
        try {
          ((AutoCloseable) client).close();
        } catch (Exception e) {
          LOG.debug("Closing an HttpClient failed", e);
        }
      }
    }
    clients.clear();
    executor.shutdownNow();
    try {
      executor.awaitTermination(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean probeHostAllowed() {
    try {
      HttpRequest.newBuilder(URI.create("http://probe.invalid/")).header("Host", "probe");
      return true;
    } catch (IllegalArgumentException restricted) {
      return false;
    }
  }

  private record ClientKey(Duration connectTimeout, HttpVersion version, SSLContext sslContext) {}

  private static final class OneBuffer implements Flow.Publisher<ByteBuffer> {
    private final ByteBuffer body;

    OneBuffer(ByteBuffer body) {
      this.body = body;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
      subscriber.onSubscribe(new Flow.Subscription() {
        private final AtomicBoolean done = new AtomicBoolean();

        @Override
        public void request(long n) {
          if (n <= 0) {
            if (done.compareAndSet(false, true)) {
              subscriber.onError(new IllegalArgumentException("request: was " + n + ", must be > 0"));
            }
            return;
          }
          if (done.compareAndSet(false, true)) {
            subscriber.onNext(body.duplicate());
            subscriber.onComplete();
          }
        }

        @Override
        public void cancel() {
          done.set(true);
        }
      });
    }
  }
}
