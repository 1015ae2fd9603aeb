package dev.mirror.core.conformance;

import dev.mirror.api.Headers;
import dev.mirror.api.MirrorTarget;
import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Sends copies through one transport from several threads, at most {@code window} outstanding at
 * once, and sorts how each ended: answered (a 200 carrying its own {@code X-Copy}), completed
 * with another answer, or failed (by exception class). Every wait is bounded by {@link #DEADLINE}.
 */
final class Load {

  /** Longest one {@link #send} may take, sending and awaiting included. */
  static final long DEADLINE_MILLIS = 20_000;
  private static final String DEADLINE = "no completion within " + DEADLINE_MILLIS + " ms";

  /** One copy's shape: its method, path and body. */
  record Copy(String method, String path, byte[] body) {

    static final byte[] KIB = new byte[1024];

    /** GET, POST with 1 KiB, PUT with 1 KiB, by turns. */
    static Copy mixed(int i, String path) {
      switch (i % 3) {
        case 0: return new Copy("GET", path, new byte[0]);
        case 1: return new Copy("POST", path, KIB);
        default: return new Copy("PUT", path, KIB);
      }
    }
  }

  private final MirrorTransport transport;
  private final MirrorTarget target;
  private final VerifyingLedger.Run run;
  private final int threads;
  private final int window;
  private final Outcome outcome = new Outcome();

  Load(MirrorTransport transport, MirrorTarget target, VerifyingLedger.Run run, int threads,
      int window) {
    this.transport = transport;
    this.target = target;
    this.run = run;
    this.threads = threads;
    this.window = window;
  }

  /** The ledger run whose ids this load's copies carry. */
  VerifyingLedger.Run run() {
    return run;
  }

  /** What all sends so far came to. */
  Outcome outcome() {
    return outcome;
  }

  /** Sends {@code copies} copies shaped by {@code shape} and waits for all; adds to the outcome. */
  Outcome send(int copies, IntFunction<Copy> shape) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
    Semaphore slots = new Semaphore(window);
    AtomicInteger next = new AtomicInteger();
    ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    ExecutorService senders = Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "conformance-sender");
      t.setDaemon(true);
      return t;
    });
    for (int t = 0; t < threads; t++) {
      senders.execute(() -> {
        int i;
        while ((i = next.getAndIncrement()) < copies) {
          try {
            if (!slots.tryAcquire(left(deadline), TimeUnit.NANOSECONDS)) {
              outcome.fail("window never freed: " + DEADLINE);
              continue;
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
          String id = run.issue();
          CompletableFuture<ShadowResponse> future;
          try {
            future = transport.send(request(id, shape.apply(i)));
          } catch (RuntimeException e) {
            future = CompletableFuture.failedFuture(e);
          }
          future.whenComplete((r, e) -> slots.release());
          pending.add(new Pending(id, future));
        }
      });
    }
    senders.shutdown();
    if (!senders.awaitTermination(left(deadline), TimeUnit.NANOSECONDS)) {
      senders.shutdownNow();
    }
    for (Pending p : pending) {
      outcome.sent.incrementAndGet();
      try {
        outcome.completed(p.id, p.future.get(left(deadline), TimeUnit.NANOSECONDS));
      } catch (ExecutionException | CompletionException e) {
        outcome.fail(e.getCause() == null ? e.getClass().getSimpleName()
            : e.getCause().getClass().getSimpleName());
      } catch (TimeoutException e) {
        outcome.fail(DEADLINE);
      }
    }
    return outcome;
  }

  private ShadowRequest request(String id, Copy copy) {
    Headers headers = copy.body().length == 0 ? Headers.of(VerifyingLedger.COPY_HEADER, id)
        : Headers.of(VerifyingLedger.COPY_HEADER, id, "Content-Type", "application/octet-stream");
    return new ShadowRequest("conformance", target, id, copy.method(),
        URI.create(target.address() + copy.path()), headers,
        ByteBuffer.wrap(copy.body()).asReadOnlyBuffer());
  }

  private static long left(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  private record Pending(String id, CompletableFuture<ShadowResponse> future) {}

  /** How the copies ended; thread-safe. */
  static final class Outcome {
    private final AtomicInteger sent = new AtomicInteger();
    private final Set<String> completed = ConcurrentHashMap.newKeySet();
    private final AtomicInteger answered = new AtomicInteger();
    private final List<String> wrongAnswers = new ArrayList<>();
    private final Map<String, Integer> failures = new TreeMap<>();

    private void completed(String id, ShadowResponse response) {
      completed.add(id);
      String echo = response.headers().first(VerifyingLedger.COPY_HEADER);
      if (response.statusCode() == 200 && id.equals(echo)) {
        answered.incrementAndGet();
      } else {
        synchronized (this) {
          wrongAnswers.add(id + " got " + response.statusCode() + " for " + echo);
        }
      }
    }

    private synchronized void fail(String kind) {
      failures.merge(kind, 1, Integer::sum);
    }

    /** Ids of copies whose future completed with a ShadowResponse. */
    Set<String> completed() {
      return completed;
    }

    /** Copies answered 200 with their own X-Copy echoed. */
    int answered() {
      return answered.get();
    }

    int sent() {
      return sent.get();
    }

    /** Copies that ended exceptionally (or never ended). */
    synchronized int failed() {
      return failures.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** Answers that were not a 200 carrying the copy's own id (another copy's answer, say). */
    synchronized List<String> wrongAnswers() {
      return List.copyOf(wrongAnswers);
    }

    synchronized String summary() {
      return "sent " + sent + ", answered " + answered + ", completed otherwise "
          + wrongAnswers.size() + (wrongAnswers.isEmpty() ? ""
              : " " + wrongAnswers.subList(0, Math.min(5, wrongAnswers.size())))
          + ", failed " + failed() + " " + failures;
    }
  }
}
