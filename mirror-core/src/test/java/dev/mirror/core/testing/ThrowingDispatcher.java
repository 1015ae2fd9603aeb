package dev.mirror.core.testing;

import dev.mirror.api.Decision;
import dev.mirror.api.DropReason;
import dev.mirror.api.MirrorDispatcher;
import dev.mirror.api.MirroredRequest;
import dev.mirror.api.RequestView;
import dev.mirror.api.SubmitResult;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A dispatcher given in code that throws from one of its methods, and counts what it is told of
 * errors: the entry point must keep the application's answer as it is and report the error once.
 */
public final class ThrowingDispatcher implements MirrorDispatcher {

  /** Where it throws. */
  public enum Where { DECIDE, SUBMIT, ABANDON }

  /** Bodies over this are abandoned, which is how {@link Where#ABANDON} is reached. */
  public static final int LIMIT = 1000;

  public final Where where;
  public final AtomicInteger reported = new AtomicInteger();

  public ThrowingDispatcher(Where where) {
    this.where = where;
  }

  @Override
  public Decision decide(RequestView request) {
    if (where == Where.DECIDE) {
      throw new IllegalStateException("dispatcher bug in decide");
    }
    return new Decision() {
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
        return LIMIT;
      }
    };
  }

  @Override
  public SubmitResult submit(Decision decision, MirroredRequest request) {
    if (where == Where.SUBMIT) {
      throw new IllegalStateException("dispatcher bug in submit");
    }
    return SubmitResult.of(dev.mirror.api.Outcome.ACCEPTED);
  }

  @Override
  public void abandon(Decision decision, DropReason reason) {
    if (where == Where.ABANDON) {
      throw new IllegalStateException("dispatcher bug in abandon");
    }
  }

  @Override
  public boolean reportError(String where, Throwable error) {
    reported.incrementAndGet();
    return true;
  }

  @Override
  public void close() {}
}
