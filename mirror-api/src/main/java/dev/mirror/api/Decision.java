package dev.mirror.api;

/**
 * The answer of {@link MirrorDispatcher#decide(RequestView)}: mirror this request or not.
 *
 * <p>A decision to mirror holds room for the copies: the caller must pass it on exactly once, to
 * {@link MirrorDispatcher#submit(Decision, MirroredRequest)} or to {@link
 * MirrorDispatcher#abandon(Decision, DropReason)}, or the room stays taken. A decision not to
 * mirror needs nothing further.
 */
public interface Decision {

  /** Returns true if the request is to be captured and submitted. */
  boolean mirrored();

  /** Returns, for a decision not to mirror, what happened; for a decision to mirror, null. */
  SubmitResult result();

  /** Returns the largest body that may be captured, in bytes; 0 when not mirrored. */
  int maxBodyBytes();

  /**
   * Returns true if the caller's answer must wait for the copies ({@link
   * MirrorMode#SYNCHRONOUS}): {@link MirrorDispatcher#submit(Decision, MirroredRequest)} then
   * returns once every copy has its answer, has failed or has timed out, and an entry point submits
   * before the first byte of the answer leaves. False by default.
   */
  default boolean synchronous() {
    return false;
  }

  /**
   * Returns true if the primary's answer is compared with the shadows': the entry point then
   * keeps it (status, headers, body up to {@link #keepAnswerBytes()}) and hands it to {@link
   * MirrorDispatcher#answered(Decision, Observation)} once complete. False by default: nothing of
   * the answer is kept or reported.
   */
  default boolean compares() {
    return false;
  }

  /** Returns how much of the primary's answer body is kept for comparison; 0 by default. */
  default int keepAnswerBytes() {
    return 0;
  }
}
