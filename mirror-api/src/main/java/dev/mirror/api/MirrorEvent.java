package dev.mirror.api;

import java.time.Duration;

/** What became of one copy for one target; given to {@link MirrorListener}s. */
public sealed interface MirrorEvent {

  /** Returns the policy's name. */
  String policy();

  /** Returns the target's name. */
  String target();

  /**
   * A copy was answered (any status).
   *
   * @param policy the policy's name
   * @param target the target's name
   * @param request what was sent
   * @param response the answer
   * @param latency from handing the copy to the transport to the complete answer
   */
  record Sent(
      String policy, String target, ShadowRequest request, ShadowResponse response,
      Duration latency) implements MirrorEvent {}

  /**
   * A copy got no answer.
   *
   * @param policy the policy's name
   * @param target the target's name
   * @param request what was sent
   * @param reason why, as counted
   * @param cause the exception
   * @param latency from handing the copy to the transport to the failure
   */
  record Failed(
      String policy, String target, ShadowRequest request, FailureReason reason, Throwable cause,
      Duration latency) implements MirrorEvent {}

  /**
   * A copy decided on was not sent.
   *
   * @param policy the policy's name
   * @param target the target's name
   * @param reason why, as counted
   */
  record Dropped(String policy, String target, DropReason reason) implements MirrorEvent {}
}
