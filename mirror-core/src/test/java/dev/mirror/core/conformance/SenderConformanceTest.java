package dev.mirror.core.conformance;

import static org.junit.jupiter.api.TestInstance.Lifecycle.PER_CLASS;

import dev.mirror.api.MirrorTarget;
import dev.mirror.core.transport.NioHttpTransport;
import dev.mirror.core.conformance.Load.Copy;
import java.time.Duration;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Conformance of the project's own non-blocking HTTP/1.1 sender, {@link NioHttpTransport}, with
 * HTTP servers we did not write: Jetty 12 (core handler), Tomcat 11 (closing every connection
 * after 5 requests), Undertow 2.3, Netty 4.2, Node's {@code http} module (keep-alive timeout 300
 * ms) and Python's {@code http.server} (HTTP/1.0), each on 127.0.0.1 at an ephemeral port, driven
 * only through {@code send} and {@code close}.
 *
 * <p>Each server records the {@code X-Copy} header of every request it reads in a {@link
 * VerifyingLedger}, and echoes it in its answer. For every scenario on every server the suite
 * proves that, under concurrent load through one transport with up to 64 copies outstanding:
 *
 * <ol>
 *   <li>no copy reaches the server twice (so whatever the sender resends, the server had not
 *       read; a POST is never duplicated);
 *   <li>every copy the sender completed normally was received by the server (no answer is made
 *       up, or taken from another copy's exchange);
 *   <li>the server received nothing the test did not send;
 * </ol>
 *
 * <p>and that every answer is a 200 carrying the copy's own id (pipelined answers are paired with
 * their own requests). Scenarios: mixed GET/POST/PUT load; a slow tail (1 in 50 copies answered
 * after twice the read timeout: it may fail, but at most 3 failures per slow copy, so a slow
 * answer does not take many fast ones with it); POSTs while the server closes connections every
 * fifth answer; 256 KiB answers; HTTP/1.0 answers ended by close (Python); and bursts with pauses
 * around the time the server closes idle connections, so reused connections race the server's
 * close (Node).
 * Node and Python scenarios are skipped when {@code node} or {@code python3} is not on the PATH.
 */
class SenderConformanceTest {

  static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  /** Copies sent at once from this many threads, at most {@link #WINDOW} outstanding. */
  static final int THREADS = 8;
  static final int WINDOW = 64;
  static final long NODE_KEEP_ALIVE_MILLIS = 300;

  /** One server for the whole class; a new transport for each scenario. */
  @TestInstance(PER_CLASS)
  abstract static class ShadowFixture {
    final VerifyingLedger ledger = new VerifyingLedger();
    ShadowServer server;
    NioHttpTransport transport;

    abstract ShadowServer start(VerifyingLedger ledger) throws Exception;

    @BeforeAll
    void startServer() throws Exception {
      server = start(ledger);
    }

    @AfterAll
    void stopServer() {
      if (server != null) {
        server.close();
      }
    }

    @BeforeEach
    void newTransport() {
      transport = NioHttpTransport.create(1);
    }

    @AfterEach
    void closeTransport() {
      transport.close();
    }

    Load load(String scenario, Duration readTimeout) {
      MirrorTarget target = MirrorTarget.builder("t", server.address()).readTimeout(readTimeout)
          .connectTimeout(CONNECT_TIMEOUT).build();
      return new Load(transport, target, ledger.newRun(scenario), THREADS, WINDOW);
    }

    Load load(String scenario) {
      return load(scenario, READ_TIMEOUT);
    }

    /**
     * Asserts the ledger's properties 1–3, that every copy that completed got a 200 with its own
     * id, and that at most {@code maxFailed} copies failed ({@code why}); reports every violation
     * at once, with the server's name and the counts on both sides (failures by exception class).
     */
    void verify(Load load, int maxFailed, String why) {
      Load.Outcome outcome = load.outcome();
      SoftAssertions soft = new SoftAssertions();
      String report = load.run().verify(getClass().getSimpleName(), outcome, soft);
      soft.assertThat(outcome.wrongAnswers()).as("answers that were not a 200 with the copy's"
          + " own " + VerifyingLedger.COPY_HEADER + report).isEmpty();
      soft.assertThat(outcome.failed()).as("copies that failed, at most " + maxFailed + " (" + why + ")"
          + report)
          .isLessThanOrEqualTo(maxFailed);
      soft.assertAll();
    }
  }

  /** The scenarios every server runs. */
  abstract static class CommonScenarios extends ShadowFixture {

    /**
     * Copies a server may cost while the sender learns how many requests it serves per
     * connection: 0, except for a server that closes kept-alive connections after a few answers
     * (Tomcat here). Copies pipelined behind its close fail rather than go again (they may have
     * been read: zero duplicates comes first); then pipelining stops for a while, and never goes
     * past the cap it showed. At most one connection's pipeline is lost.
     */
    int lostWhileLearning() {
      return 0;
    }

    @Test
    void mixedLoad_everyCopyAnsweredOnce() throws Exception {
      int copies = 2_000;
      Load load = load("mixed");
      load.send(copies, i -> Copy.mixed(i, "/mixed"));
      verify(load, lostWhileLearning(), lostWhileLearning() == 0 ? "none may fail"
          : "only while the sender learns the server's requests per connection");
    }

    @Test
    void slowTail_costsAtMostThreeFailuresPerSlowCopy() throws Exception {
      // The shape: 1 answer in 200 later than the read timeout, at full load.
      int copies = 2_000;
      int every = 200;
      int slow = (copies + every - 1) / every;
      Load load = load("slow-tail", Duration.ofMillis(300));
      load.send(copies, i -> i % every == 0 ? new Copy("GET", "/slow", new byte[0])
          : Copy.mixed(i, "/fast"));
      verify(load, 3 * slow, "3 per slow copy, " + slow + " slow of " + copies);
    }

    @Test
    void postsWhileTheServerClosesConnections_neverDuplicated() throws Exception {
      int copies = 500;
      Load load = load("post-close");
      load.send(copies, i -> new Copy("POST", "/close-every-5", Copy.KIB));
      verify(load, 0, "none may fail");
    }

    @Test
    void bigAnswers_everyCopyAnsweredOnce() throws Exception {
      int copies = 200;
      Load load = load("big");
      load.send(copies, i -> new Copy("GET", "/big", new byte[0]));
      verify(load, lostWhileLearning(), lostWhileLearning() == 0 ? "none may fail"
          : "only while the sender learns the server's requests per connection");
    }
  }

  @Nested
  @DisplayName("Jetty 12.1 core Handler")
  class Jetty extends CommonScenarios {
    @Override
    ShadowServer start(VerifyingLedger ledger) throws Exception {
      return new JettyShadow(ledger);
    }
  }

  @Nested
  @DisplayName("Tomcat 11 embedded, maxKeepAliveRequests=5")
  class Tomcat extends CommonScenarios {
    @Override
    ShadowServer start(VerifyingLedger ledger) throws Exception {
      return new TomcatShadow(ledger);
    }

    @Override
    int lostWhileLearning() {
      return 15; // one pipeline: Http1Pool.MAX_DEPTH (16) less the answer that closed
    }
  }

  @Nested
  @DisplayName("Undertow 2.3 core")
  class Undertow extends CommonScenarios {
    @Override
    ShadowServer start(VerifyingLedger ledger) {
      return new UndertowShadow(ledger);
    }
  }

  @Nested
  @DisplayName("Netty 4.2 HttpServerCodec")
  class Netty extends CommonScenarios {
    @Override
    ShadowServer start(VerifyingLedger ledger) throws Exception {
      return new NettyShadow(ledger);
    }
  }

  @Nested
  @DisplayName("Node http.createServer, keepAliveTimeout=300ms")
  class Node extends CommonScenarios {
    @Override
    ShadowServer start(VerifyingLedger ledger) throws Exception {
      Assumptions.assumeTrue(ChildProcessShadow.onPath("node"), "node is not on the PATH");
      return new ChildProcessShadow(ledger, "node", "shadow.js", ShadowServer.SLOW_MILLIS,
          ShadowServer.BIG_BYTES, ShadowServer.CLOSE_EVERY, NODE_KEEP_ALIVE_MILLIS);
    }

    /**
     * Bursts with pauses around the time after which Node closes an idle connection (its
     * keep-alive timeout plus the buffer it adds: 1.3 s on Node 20, 0.3 s where the buffer can be
     * set to 0), so the next burst reuses connections the server is closing or has closed.
     */
    @Test
    void burstsAfterTheServerClosedIdleConnections_everyCopyAnsweredOnce() throws Exception {
      long idleMillis = Long.parseLong(((ChildProcessShadow) server).fact("IDLE"));
      long[] offsets = {-50, -25, 0, 25, 50, 100};
      int perBurst = 40;
      Load load = load("idle-close");
      for (long offset : offsets) {
        load.send(perBurst, i -> Copy.mixed(i, "/burst"));
        // Load shape, not synchronisation: idle about as long as the server waits to close.
        Thread.sleep(idleMillis + offset);
      }
      load.send(perBurst, i -> Copy.mixed(i, "/burst"));
      verify(load, 0, "none may fail");
    }
  }

  @Nested
  @DisplayName("Python http.server, HTTP/1.0")
  class Python extends ShadowFixture {
    @Override
    ShadowServer start(VerifyingLedger ledger) throws Exception {
      Assumptions.assumeTrue(ChildProcessShadow.onPath("python3"), "python3 is not on the PATH");
      return new ChildProcessShadow(ledger, "python3", "shadow.py", ShadowServer.SLOW_MILLIS,
          ShadowServer.BIG_BYTES);
    }

    @Test
    void http10AnswersEndedByClose_atLeast99PercentAnsweredOnce() throws Exception {
      int copies = 300;
      Load load = load("http10");
      load.send(copies, i -> Copy.mixed(i, "/mixed"));
      verify(load, copies / 100, "1 %");
    }
  }
}
