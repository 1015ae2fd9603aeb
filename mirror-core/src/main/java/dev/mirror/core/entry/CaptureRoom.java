package dev.mirror.core.entry;

/**
 * A decision whose captured body takes room at its targets' byte caps as it grows: the engine's
 * own decisions are, so an entry point never holds more bytes than the caps allow.
 */
public interface CaptureRoom {

  /**
   * Takes {@code bytes} more room for the body being captured; false (and nothing taken) if a
   * target has no room. Request thread only, before the copy is submitted.
   */
  boolean reserveCaptured(int bytes);
}
