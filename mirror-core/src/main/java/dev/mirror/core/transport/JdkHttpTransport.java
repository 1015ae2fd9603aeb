package dev.mirror.core.transport;

import dev.mirror.api.Headers;
import dev.mirror.api.HttpVersion;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.api.TransportFullException;
import dev.mirror.core.internal.NamedDaemonThreads;
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
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transport on the JDK's {@link HttpClient}, HTTP/1.1 or HTTP/2, http or https: chosen with
 * {@code mirror.transport=jdk}; the default {@link NioHttpTransport} hands it the copies to https
 * and HTTP/2 targets.
 *
 * <p>One client per distinct setting (connect timeout, HTTP version, TLS context), shared by every
 * target with that setting. Response bodies are discarded as they stream in, never buffered. No
 * redirects are followed and no cookies kept.
 *
 * <p><b>Why blocking sends.</b> Each copy is sent with the client's blocking {@code send} on a
 * sender thread of its own, not with {@code sendAsync}: on JDK 17, {@code sendAsync} hands every
 * completion to the common fork-join pool, and where that pool has fewer than 2 threads (2 cores
 * or fewer, as in many containers) {@code CompletableFuture} starts a new thread for each. In
 * bench/load.sh that made each copy cost about a millisecond of CPU. Sender threads are reused,
 * idle ones end after {@value #SENDER_KEEP_ALIVE_SECONDS} s, and there are never more than
 * {@value #MAX_SENDERS}: a copy beyond is not sent and counts as dropped ({@link
 * TransportFullException}), since a thread per copy in flight is what this client costs.
 *
 * <p>Was {@code HttpTransport} (still there, deprecated, for one release).
 *
 * <p><b>Host header.</b> The JDK client refuses to set {@code Host} unless the JVM was started with
 * {@code -Djdk.httpclient.allowRestrictedHeaders=host}. Without it, copies carry the target's own
 * host (the client's original is still in {@code X-Forwarded-Host}), and this is logged once.
 */
@SuppressWarnings("removal") // permits HttpTransport, the deprecated alias
public sealed class JdkHttpTransport implements MirrorTransport permits HttpTransport {

  private static final Logger LOG = LoggerFactory.getLogger(JdkHttpTransport.class);

  /** Threads completing the clients' exchanges: {@value}. */
  public static final int DEFAULT_THREADS = 2;

  /** Most copies sent at once by one transport: {@value}; beyond, a copy is dropped. */
  public static final int MAX_SENDERS = 32;

  /** Seconds an idle sender thread lives: {@value}. */
  public static final long SENDER_KEEP_ALIVE_SECONDS = 30;

  private static final boolean HOST_ALLOWED = probeHostAllowed();

  private final ExecutorService executor;
  private final ThreadPoolExecutor senders;
  private final Map<ClientKey, HttpClient> clients = new ConcurrentHashMap<>();
  private final AtomicBoolean hostWarned = new AtomicBoolean();

  JdkHttpTransport(int threads) {
    // A fixed pool: the work it gets is bounded by the engine's in-flight caps.
    this.executor = Executors.newFixedThreadPool(threads, new NamedDaemonThreads("mirror-http"));
    // Bounded, no queue: the engine never has more copies in flight than its caps allow.
    this.senders = new ThreadPoolExecutor(0, MAX_SENDERS, SENDER_KEEP_ALIVE_SECONDS,
        TimeUnit.SECONDS, new SynchronousQueue<>(), new NamedDaemonThreads("mirror-send"));
  }

  /** Returns a transport with {@value #DEFAULT_THREADS} threads. */
  public static JdkHttpTransport create() {
    return new JdkHttpTransport(DEFAULT_THREADS);
  }

  /**
   * Returns a transport whose clients complete exchanges on this many threads.
   *
   * @throws IllegalArgumentException if threads is not in [1, 64]
   */
  public static JdkHttpTransport create(int threads) {
    return new JdkHttpTransport(checkThreads(threads));
  }

  static int checkThreads(int threads) {
    if (threads < 1 || threads > 64) {
      throw new IllegalArgumentException("threads: was " + threads + ", must be in [1, 64]");
    }
    return threads;
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
      if (name.equalsIgnoreCase("Content-Length")) {
        continue; // the client frames the body itself and refuses this header
      }
      request.header(name, headers.value(i));
    }
    HttpClient client = client(target);
    HttpRequest built = request.build();
    CompletableFuture<ShadowResponse> result = new CompletableFuture<>();
    Future<?> sending;
    try {
      sending = senders.submit(() -> {
      try {
        if (copy.keepAnswerBytes() == 0) {
          HttpResponse<Void> response = client.send(built, HttpResponse.BodyHandlers.discarding());
          result.complete(new ShadowResponse(response.statusCode(), headers(response)));
        } else {
          HttpResponse<java.io.InputStream> response = client.send(built,
              HttpResponse.BodyHandlers.ofInputStream());
          try (java.io.InputStream in = response.body()) {
            byte[] kept = in.readNBytes(copy.keepAnswerBytes());
            boolean whole = in.read() < 0;
            result.complete(new ShadowResponse(response.statusCode(), headers(response),
                java.nio.ByteBuffer.wrap(kept), whole));
          }
        }
      } catch (InterruptedException cancelled) {
        // The exchange is aborted by the client; the engine has already counted the timeout.
        result.cancel(false);
      } catch (Throwable failure) {
        result.completeExceptionally(failure);
      }
      });
    } catch (RejectedExecutionException full) {
      result.completeExceptionally(new TransportFullException("all " + MAX_SENDERS
          + " sender threads of the JDK transport are busy"));
      return result;
    }
    // A caller giving up (the engine's deadline, or close) interrupts the send, which aborts it.
    result.whenComplete((response, failure) -> {
      if (result.isCancelled()) {
        sending.cancel(true);
      }
    });
    return result;
  }

  private HttpClient client(MirrorTarget target) {
    if (target.httpVersion() == HttpVersion.H2C) {
      throw new IllegalArgumentException("http version: was h2c, must be HTTP/1.1 or HTTP/2 for"
          + " this transport (h2c comes with the Jetty transport)");
    }
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
    senders.shutdownNow();
    executor.shutdownNow();
    try {
      senders.awaitTermination(1, TimeUnit.SECONDS);
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

  /** Finds this transport as {@code mirror.transport=jdk}. */
  public static final class Provider implements dev.mirror.api.MirrorTransportProvider {

    /** Made by {@link java.util.ServiceLoader}. */
    public Provider() {}

    @Override
    public String name() {
      return "jdk";
    }

    @Override
    public MirrorTransport create() {
      return JdkHttpTransport.create();
    }
  }
}
