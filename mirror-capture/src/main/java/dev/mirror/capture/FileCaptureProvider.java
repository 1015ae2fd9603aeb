package dev.mirror.capture;

import dev.mirror.api.MirrorTransport;
import dev.mirror.api.MirrorTransportProvider;
import java.util.Map;
import java.util.Set;

/**
 * Serves {@code file:///<directory>} targets, found through {@link java.util.ServiceLoader}: each
 * copy is appended to a rotated NDJSON file in the directory ({@link CaptureRecord}). Settings:
 * {@code mirror.file.max-file-bytes}, {@code mirror.file.rotate-every}, {@code
 * mirror.file.max-total-bytes}, {@code mirror.file.queue}.
 */
public final class FileCaptureProvider implements MirrorTransportProvider {

  /** Made by {@link java.util.ServiceLoader}. */
  public FileCaptureProvider() {}

  @Override
  public String name() {
    return "file";
  }

  @Override
  public Set<String> schemes() {
    return Set.of("file");
  }

  @Override
  public MirrorTransport create() {
    return create(Map.of());
  }

  @Override
  public MirrorTransport create(Map<String, String> settings) {
    return new FileCaptureTransport(CaptureSettings.of(settings));
  }
}
