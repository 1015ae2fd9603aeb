package dev.mirror.bench;

/**
 * One HTTP client under test in {@link SendCost} and {@link SenderComparison}: sends request
 * {@code i} of its {@link RequestShape} and says when the answer is complete, or that none will
 * come. The completion's thread is the client's own (its I/O thread, usually), so the next request
 * starts from there, as a copy does.
 */
interface Candidate extends AutoCloseable {

  void send(long i, Completion completion);

  @Override
  void close() throws Exception;

  /** Called once per request sent. */
  interface Completion {
    /** {@code answered} is false for a request that ended without a complete answer. */
    void done(boolean answered);
  }
}
