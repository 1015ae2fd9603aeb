package dev.mirror.core;

import dev.mirror.api.MirrorEvent;
import dev.mirror.api.MirrorListener;
import dev.mirror.core.internal.NamedDaemonThreads;
import dev.mirror.core.internal.RateLimitedLog;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the application's listeners on a thread of their own ({@code mirror-events}), in the
 * order the copies ended: a copy ends on the transport's event loop, which must only do socket
 * work, and a listener may be slow. At most {@value #CAPACITY} events wait; beyond, an event is
 * dropped, counted and logged at a limited rate, so a stuck listener never holds memory or the
 * loop.
 */
final class ListenerRelay implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ListenerRelay.class);

  /** Most events waiting for the listeners: {@value}. */
  static final int CAPACITY = 8_192;

  private final MirrorListener[] listeners;
  private final BiConsumer<String, RuntimeException> onThrow;
  private final BlockingQueue<MirrorEvent> queue = new ArrayBlockingQueue<>(CAPACITY);
  private final LongAdder dropped = new LongAdder();
  private final RateLimitedLog dropLog;
  private final Thread thread;
  private volatile boolean closing;

  /** Starts the thread; {@code onThrow} hears each listener that threw. */
  ListenerRelay(MirrorListener[] listeners, BiConsumer<String, RuntimeException> onThrow) {
    this.listeners = listeners.clone();
    this.onThrow = onThrow;
    this.dropLog = new RateLimitedLog(Duration.ofSeconds(10), System::nanoTime);
    this.thread = new NamedDaemonThreads("mirror-events").newThread(this::run);
    thread.start();
  }

  /** Hands an event over; never blocks. */
  void publish(MirrorEvent event) {
    if (!queue.offer(event)) {
      dropped.increment();
      Long heldBack = dropLog.pass("listener events dropped");
      if (heldBack != null) {
        LOG.warn("mirror: listeners fall behind: {} events waiting, this one dropped ({} in all)",
            CAPACITY, dropped.sum());
      }
    }
  }

  /** Events dropped because the listeners fell behind. */
  long dropped() {
    return dropped.sum();
  }

  private void run() {
    try {
      while (!closing || !queue.isEmpty()) {
        MirrorEvent event = queue.poll(100, TimeUnit.MILLISECONDS);
        if (event != null) {
          deliver(event);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void deliver(MirrorEvent event) {
    for (MirrorListener listener : listeners) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        onThrow.accept("a listener threw", e);
      }
    }
  }

  /** Delivers what waits (for up to a second), then stops the thread. */
  @Override
  public void close() {
    closing = true;
    try {
      thread.join(1_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.interrupt();
  }
}
