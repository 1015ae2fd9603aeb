package dev.mirror.core;

import dev.mirror.api.Decision;
import dev.mirror.api.MirrorMode;
import dev.mirror.api.SubmitResult;
import dev.mirror.core.entry.CaptureRoom;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/** A decision to mirror: the room taken at each chosen target, to be used or given back once. */
final class Reservation implements Decision, CaptureRoom {

  final PolicyRuntime policy;
  final TargetChannel[] channels;
  /** What happened at the targets that took no room (sampled out or dropped), for the result. */
  final List<SubmitResult.TargetResult> skipped;
  private final Guard guard;
  /** The request id its answers are paired under, once handed over with comparison; else null. */
  volatile String compareId;

  Reservation(PolicyRuntime policy, TargetChannel[] channels,
      List<SubmitResult.TargetResult> skipped, Guards guards) {
    this.policy = policy;
    this.channels = channels;
    this.skipped = skipped;
    this.guard = guards.watch(this);
  }

  /**
   * Takes {@code bytes} more at every channel's byte cap for the body being captured; false (and
   * nothing taken) if one has no room. Request thread only, before the copy is submitted.
   */
  @Override
  public boolean reserveCaptured(int bytes) {
    for (int i = 0; i < channels.length; i++) {
      if (!channels[i].tryReserveBytes(bytes)) {
        for (int j = 0; j < i; j++) {
          channels[j].releaseBytes(bytes);
        }
        return false;
      }
    }
    guard.capturedBytes += bytes;
    return true;
  }

  /**
   * What the capture took at each channel, handed over to the copy's footprint: from now on the
   * copy gives it back when it ends, not the reservation.
   */
  int takeCaptured() {
    int bytes = guard.capturedBytes;
    guard.capturedBytes = 0;
    return bytes;
  }

  /** Gives back what the capture took, once (the copy will not be made). */
  void releaseCaptured() {
    guard.releaseCaptured();
  }

  /** Returns true the first time only: a reservation is used or given back exactly once. */
  boolean settle() {
    return guard.settle();
  }

  @Override
  public boolean mirrored() {
    return true;
  }

  @Override
  public SubmitResult result() {
    return null;
  }

  @Override
  public int maxBodyBytes() {
    return policy.policy.maxBodyBytes();
  }

  @Override
  public boolean synchronous() {
    return policy.policy.mode() == MirrorMode.SYNCHRONOUS;
  }

  @Override
  public boolean compares() {
    return policy.comparisons != null;
  }

  @Override
  public int keepAnswerBytes() {
    return policy.comparisons == null ? 0 : policy.comparisons.spec.maxBodyBytes();
  }

  /** Watches reservations, and hands back those that became garbage without being settled. */
  static final class Guards extends ReferenceQueue<Reservation> {
    /** Keeps the guards themselves reachable until their reservation is settled or lost. */
    private final Set<Guard> watched = ConcurrentHashMap.newKeySet();

    Guard watch(Reservation reservation) {
      Guard guard = new Guard(reservation, this);
      watched.add(guard);
      return guard;
    }

    @Override
    public Guard poll() {
      return (Guard) super.poll();
    }
  }

  /** Outlives its reservation: holds what is needed to give the room back. */
  static final class Guard extends PhantomReference<Reservation> {
    final TargetChannel[] channels;
    /**
     * Body bytes taken at every channel's byte cap while the body was captured: kept here, so
     * that a reservation lost without being settled gives them back too.
     */
    volatile int capturedBytes;
    private final Guards guards;
    private final AtomicBoolean settled = new AtomicBoolean();

    Guard(Reservation reservation, Guards guards) {
      super(reservation, guards);
      this.channels = reservation.channels;
      this.guards = guards;
    }

    /** Gives back what the capture took, once. */
    void releaseCaptured() {
      int bytes = capturedBytes;
      if (bytes != 0) {
        capturedBytes = 0;
        for (TargetChannel channel : channels) {
          channel.releaseBytes(bytes);
        }
      }
    }

    boolean settle() {
      if (settled.compareAndSet(false, true)) {
        guards.watched.remove(this);
        clear();
        return true;
      }
      return false;
    }
  }
}
