package dev.mirror.core.control;

import java.util.concurrent.CompletableFuture;

/**
 * A store every replica of a fleet watches: one ordered log of keyed records, of which the store
 * keeps at least the last per key (a compacted Kafka topic, etcd's keys with their revisions).
 * Made by a {@link ControlChannelProvider}; the engine is its only user.
 *
 * <p>A channel never applies anything itself: it writes what it is given and hands every record
 * it reads, in the store's order, to the one {@link Listener} started with it. An implementation
 * keeps trying while the store is unreachable (its reading thread does not end) and must not call
 * the listener from two threads at once.
 */
public interface ControlChannel extends AutoCloseable {

  /**
   * Writes one record; never blocks longer than the channel's timeout.
   *
   * @return completes with the record's version (its place in the store's order) once the store
   *     took it; exceptionally with a {@link ControlUnavailableException} when the store did not
   *     take it in time
   */
  CompletableFuture<Long> publish(String key, byte[] value);

  /**
   * Starts reading, from the store's first record still kept, on a thread of the channel's own:
   * the listener gets every record in order, then {@link Listener#caughtUp(long)} once it has read
   * as far as the store reached when reading began, then every later record as it comes.
   */
  void start(Listener listener);

  /** Returns the store's address as configured, without credentials: {@code kafka://k:9092/t}. */
  String address();

  /** Stops reading and writing; safe to call twice. */
  @Override
  void close();

  /** Receives a channel's records, on its reading thread. Must not throw. */
  interface Listener {

    /** One record, in store order; {@code value} is null for a deleted key. */
    void record(String key, byte[] value, long version);

    /** Every record the store held when reading began has been given; called once. */
    void caughtUp(long version);
  }
}
