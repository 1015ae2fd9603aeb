package dev.mirror.bench;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which of a candidate's fixed connections the next request goes on. With pipelining, each in
 * turn, whatever is outstanding there (the request is written behind it); without, one with
 * nothing outstanding, which always exists because {@link SenderComparison} never has more
 * requests out than connections. A candidate releases a connection before it reports the answer,
 * so that the request started from that report finds it free.
 */
final class ConnectionChoice<C> {

  private final List<C> all;
  private final boolean pipelining;
  private final AtomicInteger turn = new AtomicInteger();
  private final ConcurrentLinkedQueue<C> free;

  ConnectionChoice(List<C> connections, boolean pipelining) {
    this.all = List.copyOf(connections);
    this.pipelining = pipelining;
    this.free = new ConcurrentLinkedQueue<>(all);
  }

  List<C> all() {
    return all;
  }

  C take() {
    if (pipelining) {
      return all.get(Math.floorMod(turn.getAndIncrement(), all.size()));
    }
    C c = free.poll();
    if (c == null) {
      throw new IllegalStateException("no free connection: more requests out than the "
          + all.size() + " connections, without pipelining");
    }
    return c;
  }

  /** Its request is answered (or failed): free for the next one, without pipelining. */
  void release(C c) {
    if (!pipelining) {
      free.offer(c);
    }
  }
}
