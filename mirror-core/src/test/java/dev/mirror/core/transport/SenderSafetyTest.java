package dev.mirror.core.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.api.TransportFullException;
import dev.mirror.core.config.MirrorConfigException;
import dev.mirror.core.internal.http1.Http1Pool;
import dev.mirror.core.internal.http1.QueuedBehindTimeoutException;
import dev.mirror.core.testing.Burst;
import dev.mirror.core.testing.RawShadow.Answer;
import dev.mirror.core.testing.RawShadow;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the default sender guarantees whatever the shadow does: no copy reaches it twice, a slow
 * answer fails only its own copy, pipelining only where it is safe, and every future completes.
 * Against shadows written byte by byte on real sockets.
 */
class SenderSafetyTest {

  private static final String NO_CONTENT = "HTTP/1.1 204 No Content\r\n\r\n";

  private NioHttpTransport transport = NioHttpTransport.create(1);
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    transport.close();
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private RawShadow shadow(RawShadow.Script script) throws Exception {
    RawShadow shadow = new RawShadow(script);
    closing.add(shadow);
    return shadow;
  }

  private static ShadowRequest copy(String address, String method, String path, long readMillis) {
    byte[] body = method.equals("GET") ? new byte[0] : "{\"pay\":1}".getBytes(
        StandardCharsets.US_ASCII);
    MirrorTarget target = MirrorTarget.builder("t", address)
        .readTimeout(Duration.ofMillis(readMillis)).connectTimeout(Duration.ofMillis(800)).build();
    return copy(target, "id", method, path, ByteBuffer.wrap(body).asReadOnlyBuffer());
  }

  private static ShadowRequest copy(MirrorTarget target, String id, String method, String path,
      ByteBuffer body) {
    return new ShadowRequest("p", target, id, method, URI.create(target.address() + path),
        Headers.empty(), body);
  }

  private static ShadowRequest copy(String address, String method, String path) {
    return copy(address, method, path, 800);
  }

  private ShadowResponse send(ShadowRequest copy) throws Exception {
    return transport.send(copy).get(10, TimeUnit.SECONDS);
  }

  private Throwable failure(CompletableFuture<ShadowResponse> future) throws Exception {
    try {
      ShadowResponse response = future.get(10, TimeUnit.SECONDS);
      throw new AssertionError("expected a failure, got " + response);
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  /** Sends these copies at once, as the engine does under load: handed to the loop together. */
  private List<CompletableFuture<ShadowResponse>> burst(List<ShadowRequest> copies)
      throws Exception {
    return Burst.send(transport, copies);
  }

  /** Enough sequential answers that the sender knows the shadow is fast and keeps connections. */
  private void warm(RawShadow shadow) throws Exception {
    for (int i = 0; i < Http1Pool.UNCAPPED_AFTER; i++) {
      send(copy(shadow.address(), "GET", "/warm"));
    }
    for (int i = 0; i < Http1Pool.UNCAPPED_AFTER; i++) {
      shadow.take();
    }
  }

  private static Answer slowly(long millis, Answer answer) {
    try {
      Thread.sleep(millis); // the shadow's own slowness, not synchronisation
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return answer;
  }

  @Test
  void postCopies_areNeverPipelined_evenToAFastShadowThatKeepsConnections() throws Exception {
    RawShadow shadow = shadow((i, r) -> r.requestLine().startsWith("POST")
        ? slowly(50, Answer.of(NO_CONTENT)) : Answer.of(NO_CONTENT));
    warm(shadow);
    List<ShadowRequest> posts = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      posts.add(copy(shadow.address(), "POST", "/pay/" + i));
    }
    for (CompletableFuture<ShadowResponse> f : burst(posts)) {
      assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    }
    Set<Integer> connections = new HashSet<>();
    for (int i = 0; i < 8; i++) {
      connections.add(shadow.take().connection());
    }
    assertThat(connections).as("each POST on a connection of its own at a time").hasSize(8);
  }

  @Test
  void getCopies_arePipelined_toAFastShadowThatKeepsConnections_unlessTurnedOff()
      throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of(NO_CONTENT));
    warm(shadow);
    List<ShadowRequest> gets = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      gets.add(copy(shadow.address(), "GET", "/g/" + i));
    }
    for (CompletableFuture<ShadowResponse> f : burst(gets)) {
      f.get(10, TimeUnit.SECONDS);
    }
    assertThat(shadow.connections()).as("16 copies pipelined on a few connections")
        .isLessThanOrEqualTo(Http1Pool.PIPELINED_CONNECTIONS + 1);

    transport.close();
    transport = NioHttpTransport.create(1, false);
    RawShadow other = shadow((i, r) -> Answer.of(NO_CONTENT));
    warm(other);
    gets.clear();
    for (int i = 0; i < 16; i++) {
      gets.add(copy(other.address(), "GET", "/g/" + i));
    }
    for (CompletableFuture<ShadowResponse> f : burst(gets)) {
      f.get(10, TimeUnit.SECONDS);
    }
    assertThat(other.connections()).as("mirror.pipelining=false: one copy per connection")
        .isEqualTo(16);
  }

  @Test
  void maxConnections_capsTheConnectionsToAShadow_andCopiesWaitForOne() throws Exception {
    transport.close();
    transport = (NioHttpTransport) new NioHttpTransport.Provider()
        .create(java.util.Map.of("max-connections", "2"));
    RawShadow shadow = shadow((i, r) -> slowly(20, Answer.of(NO_CONTENT)));
    List<ShadowRequest> posts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      posts.add(copy(shadow.address(), "POST", "/pay/" + i));
    }
    for (CompletableFuture<ShadowResponse> f : burst(posts)) {
      assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    }
    assertThat(shadow.connections()).as("mirror.max-connections=2").isLessThanOrEqualTo(2);
    assertThatThrownBy(() -> new NioHttpTransport.Provider()
        .create(java.util.Map.of("max-connections", "many")))
        .isInstanceOf(MirrorConfigException.class)
        .hasMessage("mirror.nio.max-connections: was many, must be an integer in [1, 256]");
  }

  @Test
  void copiesThatCouldNotGetAConnectionWithinTheConnectTimeout_areTurnedAwayAtOnce()
      throws Exception {
    transport.close();
    transport = (NioHttpTransport) new NioHttpTransport.Provider()
        .create(java.util.Map.of("max-connections", "2"));
    RawShadow shadow = shadow((i, r) -> slowly(200, Answer.of(NO_CONTENT)));
    for (int i = 0; i < 2; i++) {
      send(copy(shadow.address(), "POST", "/warm/" + i)); // the sender learns: 200 ms an answer
    }
    // Two connections answering in 200 ms serve 8 waiting copies within the 800 ms connect
    // timeout; the rest of a burst of 30 would wait it out and be dropped then.
    List<ShadowRequest> posts = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      posts.add(copy(shadow.address(), "POST", "/pay/" + i));
    }
    List<CompletableFuture<ShadowResponse>> sent = burst(posts);
    java.util.Set<String> refused = new java.util.HashSet<>();
    for (int i = 0; i < sent.size(); i++) {
      try {
        sent.get(i).get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TransportFullException full
            && full.getMessage().contains("serve within the connect timeout")) {
          refused.add("/pay/" + i);
        }
      }
    }
    assertThat(refused).as("turned away at once, not after waiting 800 ms").hasSizeBetween(15,
        27);
    java.util.Set<String> received = new java.util.HashSet<>();
    RawShadow.Recorded r;
    while ((r = shadow.poll(0)) != null) {
      assertThat(received.add(r.requestLine())).as("received twice: %s", r.requestLine())
          .isTrue();
    }
    assertThat(received).noneMatch(line -> refused.contains(line.split(" ")[1]));
  }

  @Test
  void aShadowThatNeverCloses_isPipelinedTo_pastTheMostAnswersAConnectionCarried()
      throws Exception {
    // One connection allowed, and it has carried the most answers (all of them): before, nothing
    // could be pipelined on it, and copies waited for it past their connect timeout.
    transport.close();
    transport = NioHttpTransport.create(1, true, 1);
    RawShadow shadow = shadow((i, r) -> r.requestLine().contains("/burst/")
        ? slowly(40, Answer.of(NO_CONTENT)) : Answer.of(NO_CONTENT));
    warm(shadow);
    MirrorTarget target = MirrorTarget.builder("t", shadow.address())
        .readTimeout(Duration.ofSeconds(5)).connectTimeout(Duration.ofMillis(100)).build();
    List<ShadowRequest> gets = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      gets.add(copy(target, "b" + i, "GET", "/burst/" + i,
          ByteBuffer.allocate(0).asReadOnlyBuffer()));
    }
    for (CompletableFuture<ShadowResponse> f : burst(gets)) {
      assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).as("pipelined, not left waiting")
          .isEqualTo(204);
    }
    assertThat(shadow.connections()).isEqualTo(1);
  }

  @Test
  void aPostWhoseReusedConnectionIsReset_failsAndIsNeverSentAgain() throws Exception {
    RawShadow shadow = shadow((i, r) -> i == 1 ? Answer.reset("") : Answer.of(NO_CONTENT));
    send(copy(shadow.address(), "GET", "/first"));
    Throwable failure = failure(transport.send(copy(shadow.address(), "POST", "/pay")));
    assertThat(failure).isInstanceOf(IOException.class);
    send(copy(shadow.address(), "GET", "/marker"));
    assertThat(shadow.take().requestLine()).isEqualTo("GET /first HTTP/1.1");
    assertThat(shadow.take().requestLine()).isEqualTo("POST /pay HTTP/1.1");
    assertThat(shadow.take().requestLine()).as("the POST was not sent again")
        .isEqualTo("GET /marker HTTP/1.1");
    assertThat(transport.resends()).isZero();
  }

  @Test
  void aGetWhoseReusedConnectionIsClosedUnanswered_isResentOnce_andCounted() throws Exception {
    RawShadow shadow = shadow((i, r) -> i == 1 ? Answer.thenClose("") : Answer.of(NO_CONTENT));
    send(copy(shadow.address(), "GET", "/first"));
    assertThat(send(copy(shadow.address(), "GET", "/again")).statusCode()).isEqualTo(204);
    assertThat(shadow.take().requestLine()).isEqualTo("GET /first HTTP/1.1");
    assertThat(shadow.take().requestLine()).isEqualTo("GET /again HTTP/1.1");
    assertThat(shadow.take().requestLine()).isEqualTo("GET /again HTTP/1.1");
    assertThat(transport.resends()).isEqualTo(1);
  }

  @Test
  void copiesPipelinedBehindAnAnnouncedClose_failAndAreNeverResent_andThePoolLearnsTheCap()
      throws Exception {
    // Closes after its 106th answer, as a server with a cap of requests per connection does; a
    // real server (Node) may have read and processed what was pipelined behind.
    RawShadow shadow = shadow((i, r) -> i == Http1Pool.UNCAPPED_AFTER + 5
        ? Answer.thenClose("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        : Answer.of(NO_CONTENT));
    warm(shadow);
    List<ShadowRequest> gets = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      gets.add(copy(shadow.address(), "GET", "/b/" + i));
    }
    int failed = 0;
    for (CompletableFuture<ShadowResponse> f : burst(gets)) {
      try {
        assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(IOException.class)
            .hasMessageContaining("not sent again");
        failed++;
      }
    }
    assertThat(failed).as("those pipelined behind the close").isPositive();
    assertThat(transport.resends()).isZero();
    // Learnt: 106 answers per connection; nothing is pipelined past that any more.
    gets.clear();
    for (int i = 0; i < 60; i++) {
      gets.add(copy(shadow.address(), "GET", "/c/" + i));
    }
    for (CompletableFuture<ShadowResponse> f : burst(gets)) {
      assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    }
  }

  @Test
  void copiesPipelinedBehindAnUnannouncedClose_atAnAnswersEnd_failAndAreNeverResent()
      throws Exception {
    // A worker recycled after so many requests (gunicorn's max_requests): it answers its 102nd
    // request on a connection in full, says nothing, and closes. What was pipelined behind may
    // have been read, so it fails; the pool learns the cap from that close as from an announced
    // one (Http1Connection.ended), and later copies go out on fresh connections.
    java.util.Map<Integer, java.util.concurrent.atomic.AtomicInteger> perConnection =
        new java.util.concurrent.ConcurrentHashMap<>();
    int cap = Http1Pool.UNCAPPED_AFTER + 2;
    RawShadow shadow = shadow((i, r) -> perConnection.computeIfAbsent(r.connection(),
        c -> new java.util.concurrent.atomic.AtomicInteger()).incrementAndGet() == cap
        ? Answer.thenClose(NO_CONTENT) : Answer.of(NO_CONTENT));
    warm(shadow);
    List<ShadowRequest> gets = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      gets.add(copy(shadow.address(), "GET", "/u/" + i));
    }
    int failed = 0;
    for (CompletableFuture<ShadowResponse> f : burst(gets)) {
      try {
        assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOf(IOException.class);
        failed++;
      }
    }
    assertThat(failed).as("those pipelined behind the close").isPositive();
    assertThat(transport.resends()).as("none sent twice").isZero();
    java.util.Set<String> seen = new java.util.HashSet<>();
    RawShadow.Recorded r;
    while ((r = shadow.poll(0)) != null) {
      assertThat(seen.add(r.requestLine())).as("received twice: %s", r.requestLine()).isTrue();
    }
    gets.clear();
    for (int i = 0; i < 60; i++) {
      gets.add(copy(shadow.address(), "GET", "/v/" + i));
    }
    for (CompletableFuture<ShadowResponse> f : burst(gets)) {
      assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    }
  }

  @Test
  void aGetResetOnAFreshConnection_failsAndIsNotResent() throws Exception {
    RawShadow shadow = shadow((i, r) -> i == 0 ? Answer.reset("") : Answer.of(NO_CONTENT));
    assertThat(failure(transport.send(copy(shadow.address(), "GET", "/crash"))))
        .isInstanceOf(IOException.class);
    send(copy(shadow.address(), "GET", "/marker"));
    assertThat(shadow.take().requestLine()).isEqualTo("GET /crash HTTP/1.1");
    assertThat(shadow.take().requestLine()).isEqualTo("GET /marker HTTP/1.1");
    assertThat(transport.resends()).isZero();
  }

  @Test
  void aSlowAnswer_failsOnlyItself_andTheShadowsSlowTailStopsPipelining() throws Exception {
    RawShadow shadow = shadow((i, r) -> r.requestLine().contains("/slow")
        ? slowly(700, Answer.of(NO_CONTENT)) : Answer.of(NO_CONTENT));
    warm(shadow);
    List<ShadowRequest> first = new ArrayList<>();
    first.add(copy(shadow.address(), "GET", "/slow/1", 400));
    for (int i = 0; i < 5; i++) {
      first.add(copy(shadow.address(), "GET", "/behind/" + i, 400));
    }
    List<CompletableFuture<ShadowResponse>> answers = burst(first);
    assertThat(failure(answers.get(0))).isInstanceOf(HttpTimeoutException.class)
        .isNotInstanceOf(QueuedBehindTimeoutException.class);
    for (CompletableFuture<ShadowResponse> f : answers.subList(1, answers.size())) {
      try {
        f.get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        assertThat(e.getCause()).as("only copies pipelined behind the slow one in the same pass"
            + " may share its fate, and are not held against the shadow")
            .isInstanceOf(QueuedBehindTimeoutException.class);
      }
    }
    // Now the sender knows the tail is slow: the next slow answer fails alone.
    List<ShadowRequest> second = new ArrayList<>();
    second.add(copy(shadow.address(), "GET", "/slow/2", 400));
    for (int i = 0; i < 5; i++) {
      second.add(copy(shadow.address(), "GET", "/next/" + i, 400));
    }
    answers = burst(second);
    assertThat(failure(answers.get(0))).isInstanceOf(HttpTimeoutException.class);
    for (CompletableFuture<ShadowResponse> f : answers.subList(1, answers.size())) {
      assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(204);
    }
    assertThat(transport.resends()).isZero();
  }

  @Test
  void aCopyThatTimesOutBeforeAnyByteOfItWentOut_isNeverWrittenLater() throws Exception {
    // A GET the shadow holds without reading on, then PUTs (idempotent, so pipelined behind it)
    // too big for the socket buffers. The PUTs time out first; then the shadow reads on. What
    // was not written when their time ran out must never reach it, though the GET is still
    // waited for and its connection stays open.
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    Set<Integer> stalled = java.util.concurrent.ConcurrentHashMap.newKeySet();
    RawShadow shadow = shadow((i, r) -> {
      if (r.requestLine().contains(" /p2/") && stalled.add(r.connection())) {
        try {
          held.await(20, TimeUnit.SECONDS); // the shadow stops reading this connection
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return Answer.silence(); // then reads all that comes, answers nothing
      }
      return Answer.of(NO_CONTENT);
    });
    warm(shadow);
    // Several open connections, as under load.
    List<ShadowRequest> spread = new ArrayList<>();
    for (int i = 0; i < Http1Pool.PIPELINED_CONNECTIONS; i++) {
      spread.add(copy(shadow.address(), "GET", "/spread/" + i));
    }
    for (CompletableFuture<ShadowResponse> f : burst(spread)) {
      f.get(10, TimeUnit.SECONDS);
    }
    MirrorTarget patient = MirrorTarget.builder("t", shadow.address())
        .readTimeout(Duration.ofSeconds(2)).connectTimeout(Duration.ofMillis(800)).build();
    MirrorTarget hasty = MirrorTarget.builder("t", shadow.address())
        .readTimeout(Duration.ofMillis(300)).connectTimeout(Duration.ofMillis(800)).build();
    ByteBuffer none = ByteBuffer.allocate(0).asReadOnlyBuffer();
    ByteBuffer big = ByteBuffer.allocate(2 << 20).asReadOnlyBuffer();
    int putCount = 10;
    List<ShadowRequest> copies = new ArrayList<>();
    // Two heads, on one connection or two: each connection's first stalls it, and the PUTs are
    // pipelined behind a stalled head wherever they go.
    for (String head : List.of("a", "b")) {
      copies.add(copy(patient, head, "GET", "/p2/stall/" + head, none));
    }
    for (int i = 0; i < putCount; i++) {
      copies.add(copy(hasty, "u" + i, "PUT", "/p2/put/" + i, big.duplicate()));
    }
    List<CompletableFuture<ShadowResponse>> answers = burst(copies);
    for (CompletableFuture<ShadowResponse> put : answers.subList(2, answers.size())) {
      assertThat(failure(put)).isInstanceOf(HttpTimeoutException.class);
    }
    held.countDown();
    assertThat(failure(answers.get(0))).isInstanceOf(HttpTimeoutException.class);
    assertThat(failure(answers.get(1))).isInstanceOf(HttpTimeoutException.class);
    // The heads' timeouts closed their connections: all the shadow read is here.
    String rest = "";
    for (int i = 0; i < stalled.size(); i++) {
      byte[] bytes = shadow.pollUnanswered(10_000);
      assertThat(bytes).as("the client closes a connection nothing is waited for on").isNotNull();
      rest += new String(bytes, StandardCharsets.ISO_8859_1);
    }
    int puts = rest.split("PUT /p2/put/", -1).length - 1;
    assertThat(puts).as("PUTs that reached the shadow, of %d counted as failed (the rest were"
        + " not written when their time ran out)", putCount).isLessThan(putCount);
    assertThat(transport.resends()).isZero();
  }

  @Test
  void aShadowThatClosesAfterEachAnswer_getsEveryCopyOnce_withoutPipelining() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.thenClose(
        "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nok"));
    for (int i = 0; i < 10; i++) {
      send(copy(shadow.address(), "GET", "/seq/" + i));
    }
    List<ShadowRequest> gets = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      gets.add(copy(shadow.address(), "GET", "/b/" + i));
    }
    for (CompletableFuture<ShadowResponse> f : burst(gets)) {
      assertThat(f.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
    send(copy(shadow.address(), "GET", "/marker"));
    Set<String> seen = new HashSet<>();
    String line;
    while (!(line = shadow.take().requestLine()).contains("/marker")) {
      assertThat(seen.add(line)).as("received once: " + line).isTrue();
    }
    assertThat(seen).hasSize(40);
    assertThat(shadow.connections()).isEqualTo(41);
    assertThat(transport.resends()).isZero();
  }

  @Test
  void foldedHeaderLines_areJoinedWithASpace() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of(
        "HTTP/1.1 200 OK\r\nX-Long: first\r\n \t second\r\nContent-Length: 0\r\n\r\n"));
    assertThat(send(copy(shadow.address(), "GET", "/")).headers().first("X-Long"))
        .isEqualTo("first second");
  }

  @Test
  void theShadowsKeepAliveTimeout_isHonoured_byClosingFirst() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of(
        "HTTP/1.1 204 No Content\r\nKeep-Alive: timeout=1\r\n\r\n"));
    send(copy(shadow.address(), "GET", "/"));
    await().atMost(Duration.ofSeconds(5)).until(() -> shadow.closedByClient() == 1);
  }

  @Test
  void theConnectTimeout_holdsOnAnIdleLoop_againstAShadowThatDropsConnections()
      throws Exception {
    // A listener whose accept queue is full: the kernel drops further SYNs, as a firewall does.
    ServerSocket full = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
    closing.add(full);
    for (int i = 0; i < 4; i++) {
      Socket s = new Socket();
      closing.add(s);
      try {
        s.connect(new InetSocketAddress("127.0.0.1", full.getLocalPort()), 200);
      } catch (IOException e) {
        break; // the queue is full
      }
    }
    long start = System.nanoTime();
    Throwable failure = failure(transport.send(
        copy("http://127.0.0.1:" + full.getLocalPort(), "GET", "/")));
    assertThat(failure).isInstanceOf(HttpConnectTimeoutException.class);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
  }

  @Test
  void aHostName_isLookedUpOffTheLoop_andServed() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.of(NO_CONTENT));
    String byName = "http://localhost:" + shadow.port();
    assertThat(send(copy(byName, "GET", "/named")).statusCode()).isEqualTo(204);
  }

  @Test
  void whenTheLoopDies_everyCopyInFlightFails_andLaterOnesToo() throws Exception {
    RawShadow shadow = shadow((i, r) -> Answer.silence());
    CompletableFuture<ShadowResponse> inFlight =
        transport.send(copy(shadow.address(), "GET", "/held", 60_000));
    shadow.take();
    transport.executor().execute(() -> {
      throw new Error("the test kills the loop");
    });
    assertThat(failure(inFlight)).isInstanceOf(IOException.class)
        .hasMessageContaining("event loop stopped");
    assertThatThrownBy(() -> transport.send(copy(shadow.address(), "GET", "/later"))
        .get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
  }
}
