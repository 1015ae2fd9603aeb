package dev.mirror.core.internal.loop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that owns a selector and runs the tasks handed to it: the only hand-off between a
 * request thread and a copy's socket write.
 *
 * <p>Under load the loop drains its whole task queue per wake-up, and a producer pays for {@link
 * Selector#wakeup()} only when the loop is about to sleep or sleeping: a busy loop is never woken.
 * Everything the loop owns (connections, pools, parsers) is touched by this thread only, so none of
 * it needs a lock.
 */
public final class EventLoop implements Executor {

  private static final Logger LOG = LoggerFactory.getLogger(EventLoop.class);

  /** Handles readiness of one registered channel; called on the loop thread. */
  public interface Handler {
    void ready(SelectionKey key);
  }

  /** What the loop's owner does on the loop thread at fixed points of each pass. */
  public interface Driver {
    /**
     * Called after each wake-up with the current time, to enforce timeouts; returns the longest
     * the loop may sleep before the next call, in milliseconds (0: until woken).
     */
    long tick(long nowNanos);

    /** Called before the loop sleeps: writes what this pass queued, so writes are batched. */
    void flush();

    /**
     * Called on the loop thread as it ends for good, whatever ended it: whatever is in flight must
     * be completed here, since nothing else will.
     */
    void stopped(Throwable cause);
  }

  private final Selector selector;
  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean sleeping = new AtomicBoolean();

  private final Thread thread;
  private final Driver driver;
  private volatile boolean closing;
  private final boolean batching;
  /** How long a batching loop naps between busy passes: 1 ms. */
  static final long NAP_NANOS = 1_000_000;

  public EventLoop(String name, Driver driver) {
    this(name, driver, false);
  }

  /**
   * A loop that, with {@code batching}, coalesces work while it is busy: after a pass that wrote
   * or read anything it naps for a millisecond instead of waiting on the selector, and producers
   * pay no wake-up meanwhile; a pass that finds nothing to do ends the streak, and the loop then
   * sleeps until woken as usual. Under load, a burst of copies costs one write per connection
   * and their answers one read, instead of one each; a copy may wait up to a nap to go out.
   */
  public EventLoop(String name, Driver driver, boolean batching) {
    this.batching = batching;
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open a selector for " + name, e);
    }
    this.driver = driver;
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  public Selector selector() {
    return selector;
  }

  public boolean inLoop() {
    return Thread.currentThread() == thread;
  }

  /**
   * Queues a task for the loop thread.
   *
   * @throws RejectedExecutionException once the loop is closing
   */
  @Override
  public void execute(Runnable task) {
    if (closing) {
      throw new RejectedExecutionException("the mirror transport is closed");
    }
    tasks.offer(task);
    if (closing && tasks.remove(task)) {
      // The loop may have ended between the check and the offer: nobody would run it.
      throw new RejectedExecutionException("the mirror transport is closed");
    }
    if (sleeping.get() && sleeping.compareAndSet(true, false)) {
      selector.wakeup();
    }
  }

  private void loop() {
    Throwable cause = null;
    boolean handledKeys = false;
    try {
      while (!closing) {
        boolean ranTasks = runTasks();
        driver.flush();
        // After the tasks: one that started a connection needs its deadline watched even if the
        // loop was idle before.
        long sleepMillis = driver.tick(System.nanoTime());
        if (batching && (ranTasks || handledKeys)) {
          // Busy: producers see the loop awake and queue without waking it, and what arrives
          // during the nap (copies to write, answers to read) is handled in one pass.
          LockSupport.parkNanos(NAP_NANOS);
          selector.selectNow();
        } else {
          sleeping.set(true);
          // A task queued after runTasks() but before the flag was set would not wake us: look
          // again.
          if (!tasks.isEmpty()) {
            sleeping.set(false);
            selector.selectNow();
          } else {
            selector.select(sleepMillis);
            sleeping.set(false);
          }
        }
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        handledKeys = keys.hasNext();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          if (key.isValid()) {
            ((Handler) key.attachment()).ready(key);
          }
        }
        driver.tick(System.nanoTime());
      }
    } catch (ClosedSelectorException e) {
      // closed under us: nothing left to do
    } catch (IOException | RuntimeException | Error e) {
      LOG.error("mirror: the transport's event loop stopped; copies will fail until restart", e);
      cause = e;
    } finally {
      closing = true;
      try {
        runTasks(); // whatever was queued learns that the loop is closed
      } finally {
        driver.stopped(cause);
      }
    }
  }

  /** Runs what is queued; true if there was anything. */
  private boolean runTasks() {
    Runnable task;
    boolean ran = false;
    while ((task = tasks.poll()) != null) {
      ran = true;
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.error("mirror: a task on the transport's event loop threw", e);
      }
    }
    return ran;
  }

  /** True once the loop thread has ended. */
  public boolean terminated() {
    return !thread.isAlive();
  }

  /**
   * Runs {@code onClose} on the loop thread as its last task, stops the loop and waits for it.
   */
  public void close(Runnable onClose, long waitMillis) {
    if (closing) {
      return;
    }
    tasks.offer(onClose);
    closing = true;
    selector.wakeup();
    if (!inLoop()) {
      try {
        thread.join(TimeUnit.MILLISECONDS.toMillis(waitMillis));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      selector.close();
    } catch (IOException e) {
      LOG.debug("Closing the selector failed", e);
    }
  }
}
