/** {@code file:///<dir>} targets (rotated NDJSON files) and the {@code Replayer}. */
module dev.mirror.capture {
  requires transitive dev.mirror.core;
  requires com.fasterxml.jackson.core;
  requires org.slf4j;

  exports dev.mirror.capture;

  provides dev.mirror.api.MirrorTransportProvider with dev.mirror.capture.FileCaptureProvider;
}
