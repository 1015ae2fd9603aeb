package dev.mirror.api;

/**
 * Hears of every copy sent, failed or dropped: the place for logging, metrics and comparing
 * answers.
 *
 * <p>Called on the dispatcher's threads (a drop may be heard on the request thread): return
 * quickly, hand heavy work elsewhere. An exception thrown here is caught, counted and logged at a
 * limited rate; it never reaches the primary.
 */
@FunctionalInterface
public interface MirrorListener {

  /** Called once per copy event. */
  void onEvent(MirrorEvent event);
}
