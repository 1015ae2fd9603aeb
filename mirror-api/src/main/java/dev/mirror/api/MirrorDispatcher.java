package dev.mirror.api;

/**
 * Takes requests and sends copies of them to shadow targets, without ever making the caller wait
 * or fail.
 *
 * <p>Entry points work in two steps, so that nothing is copied for a request that will not be
 * mirrored: {@link #decide(RequestView)} as the request arrives, then, once the body is complete,
 * {@link #submit(Decision, MirroredRequest)} (or {@link #abandon(Decision, DropReason)}). Plain code
 * with a complete request at hand calls {@link #submit(MirroredRequest)}.
 *
 * <p>No method throws into the caller, and none blocks, except {@code submit} under a policy in
 * {@link MirrorMode#SYNCHRONOUS} mode, which waits for the copies bounded by the targets' timeouts,
 * and {@link #close()}.
 */
public interface MirrorDispatcher extends AutoCloseable {

  /**
   * Decides whether a request is mirrored: routing, loop check, filters, sampling and room at the
   * targets. Allocates nothing when the answer is no.
   */
  Decision decide(RequestView request);

  /**
   * Decides as {@link #decide(RequestView)}, but under the named policy, whatever its paths and
   * methods (its filter's excludes and header checks still apply). An entry point uses this when
   * the application names the policy, as JAX-RS's {@code @Mirrored("staging")} does. The default
   * ignores the name.
   */
  default Decision decide(RequestView request, String policy) {
    return decide(request);
  }

  /**
   * Hands over the complete copy of a request decided on. Never blocks (unless synchronous), never
   * throws.
   */
  SubmitResult submit(Decision decision, MirroredRequest request);

  /** Gives up a decision to mirror, counting why (for example the body was too large). */
  void abandon(Decision decision, DropReason reason);

  /**
   * Told of an error that mirroring hit outside the dispatcher, in an entry point (the request
   * itself is not affected). Returns true if the dispatcher counted and logged it; the default
   * returns false, and the entry point logs it itself. Must not throw.
   *
   * @param where what was being done, for example {@code servlet filter: finishing a copy}
   */
  default boolean reportError(String where, Throwable error) {
    return false;
  }

  /**
   * Hands over the primary's answer to a request decided on with {@link Decision#compares()},
   * after {@link #submit(Decision, MirroredRequest)}: its status, headers and body (up to {@link
   * Decision#keepAnswerBytes()}), or the error it ended with. The dispatcher pairs it with the
   * shadows' answers and compares them off the caller's thread. Never blocks, never throws; the
   * default ignores it.
   */
  default void answered(Decision decision, Observation primary) {}

  /** Decides on and submits a complete request in one call. Never throws. */
  default SubmitResult submit(MirroredRequest request) {
    Decision decision = decide(request);
    return decision.mirrored() ? submit(decision, request) : decision.result();
  }

  /**
   * Stops taking requests and waits, up to the dispatcher's close timeout, for copies in flight;
   * those still running then are cancelled.
   */
  @Override
  void close();
}
