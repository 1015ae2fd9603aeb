package dev.mirror.core.internal.control;

import dev.mirror.core.control.ControlChannel;
import dev.mirror.core.control.ControlState;
import dev.mirror.core.control.ControlState.ReplicaReport;
import dev.mirror.core.control.ControlUnavailableException;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's side of a control store: writes changes, applies the store's configurations in
 * its order (through {@link Replica}), and keeps what every replica reported.
 *
 * <p>The store holds two kinds of records: {@value #CONFIG} (the fleet's configuration, whole:
 * its shared keys as a {@code .properties} text, so the last one is the state and compaction may
 * drop the rest) and {@code status/<replica>} (what a replica runs, written when a change fails
 * there and when it applies one again). A change is never applied by the replica it entered
 * through before the store has it: every replica, that one included, applies it when it reads it.
 */
public final class Fleet implements AutoCloseable {

  /** The key of the configuration records: {@value}. */
  public static final String CONFIG = "config";
  /** The prefix of status records' keys: {@value}. */
  public static final String STATUS = "status/";

  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

  /** What the fleet drives: the engine. */
  public interface Replica {

    /**
     * Applies a configuration's shared keys, read from the store at this version.
     *
     * @throws RuntimeException whose message (secrets masked) says why it cannot
     */
    void apply(Map<String, String> keys, long version);

    /** The store has been read as far as it reached at start: mirroring may begin. */
    void caughtUp();
  }

  private final ControlChannel channel;
  private final String replica;
  private final Duration timeout;
  private final Replica target;
  private final Object lock = new Object();
  private final Map<String, ReplicaReport> reports = new TreeMap<>();
  private long seen = -1;
  private long applied = -1;
  private long failedVersion = -1;
  private String lastError;
  private boolean failing;
  private long refused;
  private boolean caughtUp;

  public Fleet(ControlChannel channel, String replica, Duration timeout, Replica target) {
    this.channel = channel;
    this.replica = replica;
    this.timeout = timeout;
    this.target = target;
  }

  /**
   * Starts reading and waits up to the timeout until the store has been read to where it was.
   *
   * @return true if it has; if not, the replica catches up (and {@link Replica#caughtUp()} is
   *     called) when the store answers
   */
  public boolean start() throws InterruptedException {
    channel.start(new ControlChannel.Listener() {
      @Override
      public void record(String key, byte[] value, long version) {
        take(key, value, version);
      }

      @Override
      public void caughtUp(long version) {
        // The replica mirrors before start() returns: a request submitted right after the
        // engine is built must find mirroring on (it found it held, once, under load).
        target.caughtUp();
        synchronized (lock) {
          caughtUp = true;
          lock.notifyAll();
        }
        LOG.info("mirror fleet: replica {} read {} to its end (version {}), mirroring runs with"
            + " configuration version {}", replica, channel.address(), version, applied);
      }
    });
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!caughtUp) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
    }
    return true;
  }

  /**
   * Writes a configuration's shared keys and waits, up to the timeout, until this replica has
   * applied it.
   *
   * @return the version the store gave it
   * @throws ControlUnavailableException if the store did not take it in time (nothing applied
   *     anywhere), or took it but this replica has not applied it in time
   * @throws IllegalStateException if this replica could not apply it
   */
  public long publish(Map<String, String> keys) {
    long version;
    try {
      // The channel fails the write itself after the timeout (Kafka's delivery timeout): a
      // change answered as not taken is never taken later. The wait here only guards it.
      version = channel.publish(CONFIG, encode(keys)).get(2 * timeout.toNanos()
          + TimeUnit.SECONDS.toNanos(1), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new ControlUnavailableException("the control store " + channel.address()
          + " did not take the change within " + timeout.toMillis() + " ms ("
          + cause.getClass().getSimpleName() + "): it was applied on no replica, each keeps"
          + " its configuration; try again when the store is back", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ControlUnavailableException("interrupted while writing to the control store "
          + channel.address(), e);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      try {
        while (seen < version) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new ControlUnavailableException("the control store " + channel.address()
                + " took the change as version " + version + ", but replica " + replica
                + " has not read it back within " + timeout.toMillis() + " ms: every replica"
                + " applies it as it reads it", version, null);
          }
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ControlUnavailableException("interrupted while waiting for version "
            + version, version, e);
      }
      if (failedVersion == version) {
        throw new IllegalStateException("the control store took the change as version " + version
            + ", but replica " + replica + " could not apply it: " + lastError);
      }
    }
    return version;
  }

  private void take(String key, byte[] value, long version) {
    if (key == null || value == null) {
      return;
    }
    if (key.startsWith(STATUS)) {
      try {
        Map<String, String> fields = decode(value);
        String name = key.substring(STATUS.length());
        ReplicaReport report = new ReplicaReport(name,
            Long.parseLong(fields.getOrDefault("version", "-1")),
            Long.parseLong(fields.getOrDefault("failed-version", "-1")), fields.get("error"));
        synchronized (lock) {
          reports.put(name, report);
        }
      } catch (RuntimeException e) {
        LOG.warn("mirror fleet: a status record {} could not be read: {}", key, e.toString());
      }
      return;
    }
    if (!key.equals(CONFIG)) {
      return;
    }
    String error = null;
    try {
      target.apply(decode(value), version);
    } catch (RuntimeException e) {
      error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    boolean report;
    synchronized (lock) {
      seen = version;
      if (error == null) {
        applied = version;
        report = failing;
        failing = false;
      } else {
        refused++;
        failedVersion = version;
        lastError = error;
        failing = true;
        report = true;
      }
      lock.notifyAll();
    }
    if (error == null) {
      LOG.info("mirror fleet: replica {} applied configuration version {} from {}", replica,
          version, channel.address());
    } else {
      LOG.warn("mirror fleet: replica {} could not apply configuration version {} from {} and"
          + " keeps version {}: {}", replica, version, channel.address(), applied, error);
    }
    if (report) {
      report(error == null ? null : error);
    }
  }

  /** Writes this replica's status; does not wait (a status the store misses is written again). */
  private void report(String error) {
    Map<String, String> fields = new TreeMap<>();
    synchronized (lock) {
      fields.put("version", Long.toString(applied));
      fields.put("failed-version", Long.toString(error == null ? -1 : failedVersion));
    }
    if (error != null) {
      fields.put("error", error);
    }
    channel.publish(STATUS + replica, encode(fields)).exceptionally(e -> {
      LOG.warn("mirror fleet: replica {} could not write its status to {}: {}", replica,
          channel.address(), e.toString());
      return -1L;
    });
  }

  /** Returns what this replica runs and what the fleet reported. */
  public ControlState state() {
    synchronized (lock) {
      return new ControlState(channel.address(), replica, applied, caughtUp, refused, lastError,
          new ArrayList<>(reports.values()));
    }
  }

  /** The version in force: the last applied, -1 before any. */
  public long version() {
    synchronized (lock) {
      return applied;
    }
  }

  @Override
  public void close() {
    channel.close();
  }

  static byte[] encode(Map<String, String> keys) {
    Properties properties = new Properties();
    properties.putAll(keys);
    StringWriter out = new StringWriter();
    try {
      properties.store(out, null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  static Map<String, String> decode(byte[] value) {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(new String(value, StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> keys = new TreeMap<>();
    for (String name : properties.stringPropertyNames()) {
      keys.put(name, properties.getProperty(name));
    }
    return keys;
  }
}
