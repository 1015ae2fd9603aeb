package dev.mirror.transport.jetty;

import dev.mirror.api.Headers;
import dev.mirror.api.HttpVersion;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.api.TransportFullException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLContext;
import org.eclipse.jetty.client.ByteBufferRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpCookieStore;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transport on Jetty's {@link HttpClient}: HTTP/1.1, http and https (with the target's
 * {@code SSLContext}, for mTLS), response bodies discarded as they arrive.
 *
 * <p>Why another transport: a copy sent through the JDK client passes through several threads
 * (dispatcher, sender, the client's executor and selector), and on small machines those
 * hand-offs are most of its cost; Jetty's client sends from the calling thread and completes on
 * its selector. Choose it with {@code mirror.transport=jetty}, or pass {@link #create()} to
 * {@code MirrorEngine.builder().transport(...)}. Targets asking for HTTP/2 are sent HTTP/1.1
 * (logged once): the HTTP/2 client is not bundled.
 */
public final class JettyTransport implements MirrorTransport {

  private static final Logger LOG = LoggerFactory.getLogger(JettyTransport.class);

  /** Threads of the client's pool: {@value}. */
  public static final int DEFAULT_THREADS = 8;

  /**
   * Most copies in flight at once through this transport: {@value}; a copy beyond is not sent
   * and counts as dropped ({@link TransportFullException}). Each holds a connection.
   */
  public static final int MAX_IN_FLIGHT = 32;

  private final java.util.concurrent.atomic.AtomicInteger inFlight =
      new java.util.concurrent.atomic.AtomicInteger();

  private final QueuedThreadPool threads;
  private final Map<ClientKey, HttpClient> clients = new ConcurrentHashMap<>();
  private final AtomicBoolean http2Warned = new AtomicBoolean();
  private volatile boolean closed;

  private JettyTransport(int threadCount) {
    this.threads = new QueuedThreadPool(threadCount, Math.min(2, threadCount));
    threads.setName("mirror-jetty");
    threads.setDaemon(true);
    try {
      threads.start();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start the transport's threads", e);
    }
  }

  /** Returns a transport with {@value #DEFAULT_THREADS} threads. */
  public static JettyTransport create() {
    return new JettyTransport(DEFAULT_THREADS);
  }

  @Override
  public CompletableFuture<ShadowResponse> send(ShadowRequest copy) {
    MirrorTarget target = copy.target();
    if (target.httpVersion() == HttpVersion.HTTP_2 && http2Warned.compareAndSet(false, true)) {
      LOG.warn("Target {} asks for HTTP/2; the Jetty transport sends HTTP/1.1", target.name());
    }
    Headers headers = copy.headers();
    Request request = client(target).newRequest(copy.uri())
        .method(copy.method())
        .timeout(target.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .headers(fields -> {
          for (int i = 0; i < headers.size(); i++) {
            if (!headers.name(i).equalsIgnoreCase("Content-Length")) {
              fields.add(headers.name(i), headers.value(i));
            }
          }
          if (!copy.body().hasRemaining() && headers.contains("Content-Length")) {
            fields.add("Content-Length", "0"); // the client framed an empty body
          }
        });
    if (copy.body().hasRemaining()) {
      request.body(new ByteBufferRequestContent(copy.body()));
    }
    CompletableFuture<ShadowResponse> result = new CompletableFuture<>();
    if (inFlight.incrementAndGet() > MAX_IN_FLIGHT) {
      inFlight.decrementAndGet();
      result.completeExceptionally(new TransportFullException("all " + MAX_IN_FLIGHT
          + " copies the Jetty transport carries at once are in flight"));
      return result;
    }
    result.whenComplete((r, f) -> inFlight.decrementAndGet());
    AnswerBody kept = copy.keepAnswerBytes() == 0 ? null : new AnswerBody(copy.keepAnswerBytes());
    if (kept != null) {
      request.onResponseContent((response, content) -> kept.add(content));
    }
    request.send(outcome -> {
      if (outcome.isFailed()) {
        result.completeExceptionally(outcome.getFailure());
      } else {
        Headers.Builder answer = Headers.builder();
        for (HttpField field : outcome.getResponse().getHeaders()) {
          answer.add(field.getName(), field.getValue());
        }
        result.complete(kept == null
            ? new ShadowResponse(outcome.getResponse().getStatus(), answer.build())
            : new ShadowResponse(outcome.getResponse().getStatus(), answer.build(), kept.bytes(),
                kept.whole()));
      }
    });
    // A caller giving up (the engine's deadline, or close) aborts the exchange.
    result.whenComplete((response, failure) -> {
      if (result.isCancelled()) {
        request.abort(new java.util.concurrent.CancellationException("copy cancelled"));
      }
    });
    return result;
  }

  private HttpClient client(MirrorTarget target) {
    if (closed) {
      throw new IllegalStateException("transport: was closed, must be open to send");
    }
    return clients.computeIfAbsent(new ClientKey(target.connectTimeout(), target.sslContext(),
        target.httpVersion() == HttpVersion.H2C), this::newClient);
  }

  private HttpClient newClient(ClientKey key) {
    SslContextFactory.Client tls = new SslContextFactory.Client();
    if (key.sslContext() != null) {
      tls.setSslContext(key.sslContext());
    }
    // h2c: one connection carries many copies as streams, up to the shadow's
    // SETTINGS_MAX_CONCURRENT_STREAMS; further ones queue within the transport's cap.
    HttpClient client = key.h2c()
        ? new HttpClient(new HttpClientTransportOverHTTP2(new HTTP2Client()))
        : new HttpClient();
    client.setSslContextFactory(tls);
    client.setExecutor(threads);
    client.setConnectTimeout(key.connectTimeout().toMillis());
    client.setFollowRedirects(false);
    client.setHttpCookieStore(new HttpCookieStore.Empty());
    client.setUserAgentField(null);
    // HTTP/1.1: a connection per copy in flight; h2c: one connection, its streams multiplexed.
    client.setMaxConnectionsPerDestination(key.h2c() ? 1 : 1024);
    try {
      client.start();
    } catch (Exception e) {
      throw new IllegalStateException("Cannot start a Jetty HttpClient", e);
    }
    return client;
  }

  /** Stops the clients (closing their connections) and the threads. */
  @Override
  public void close() {
    closed = true;
    for (HttpClient client : clients.values()) {
      try {
        client.stop();
      } catch (Exception e) {
        LOG.debug("Stopping a Jetty HttpClient failed", e);
      }
    }
    clients.clear();
    try {
      threads.stop();
    } catch (Exception e) {
      LOG.debug("Stopping the transport's threads failed", e);
    }
  }

  private record ClientKey(Duration connectTimeout, SSLContext sslContext, boolean h2c) {}

  /** Finds this transport as {@code mirror.transport=jetty}. */
  public static final class Provider implements dev.mirror.api.MirrorTransportProvider {

    /** Made by {@link java.util.ServiceLoader}. */
    public Provider() {}

    @Override
    public String name() {
      return "jetty";
    }

    @Override
    public MirrorTransport create() {
      return JettyTransport.create();
    }
  }

  /** The start of an answer's body, kept for comparison up to a limit. */
  private static final class AnswerBody {
    private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    private final int limit;
    private boolean over;

    AnswerBody(int limit) {
      this.limit = limit;
    }

    synchronized void add(java.nio.ByteBuffer content) {
      int n = Math.min(content.remaining(), limit - bytes.size());
      if (n < content.remaining()) {
        over = true;
      }
      byte[] chunk = new byte[n];
      content.duplicate().get(chunk);
      bytes.write(chunk, 0, n);
    }

    synchronized java.nio.ByteBuffer bytes() {
      return java.nio.ByteBuffer.wrap(bytes.toByteArray());
    }

    synchronized boolean whole() {
      return !over;
    }
  }
}
