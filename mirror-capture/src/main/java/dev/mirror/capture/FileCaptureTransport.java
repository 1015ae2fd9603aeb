package dev.mirror.capture;

import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import dev.mirror.api.TransportFullException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Appends copies to capture files: one {@link CaptureWriter} (and its thread) per directory. The
 * request thread never touches the disk: a copy is queued, and the future completes once its line
 * is written; when the disk falls behind and the queue is full, the copy is dropped ({@code
 * QUEUE_FULL}). A write that fails is a failure ({@code IO}).
 */
final class FileCaptureTransport implements MirrorTransport {

  private final CaptureSettings settings;
  private final Map<String, CaptureWriter> writers = new ConcurrentHashMap<>();
  private volatile boolean closed;

  FileCaptureTransport(CaptureSettings settings) {
    this.settings = settings;
  }

  @Override
  public CompletableFuture<ShadowResponse> send(ShadowRequest copy) {
    String directory = copy.target().directory();
    if (directory == null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("target "
          + copy.target().name() + ": was " + copy.target().address() + ", must be file:///<dir>"));
    }
    CaptureWriter writer;
    try {
      writer = writer(directory);
    } catch (UncheckedIOException e) {
      return CompletableFuture.failedFuture(e.getCause());
    }
    String address = copy.target().address();
    String text = copy.uri().toString();
    CaptureRecord record = new CaptureRecord(java.time.Instant.now(), copy.requestId(), copy.policy(),
        copy.target().name(), copy.method(), text.startsWith(address)
            ? text.substring(address.length()) : copy.uri().getRawPath(), copy.headers(),
        copy.body());
    CompletableFuture<ShadowResponse> written = new CompletableFuture<>();
    if (!writer.offer(record, written)) {
      written.completeExceptionally(new TransportFullException("the capture queue of "
          + directory + " is full (" + settings.queue() + " copies): the disk is slower than"
          + " the traffic"));
    }
    return written;
  }

  private CaptureWriter writer(String directory) {
    CaptureWriter writer = writers.get(directory);
    if (writer != null) {
      return writer;
    }
    synchronized (writers) {
      if (closed) {
        throw new UncheckedIOException(new IOException("the file capture transport is closed"));
      }
      return writers.computeIfAbsent(directory, d -> {
        try {
          return new CaptureWriter(Path.of(d), settings, Clock.systemUTC());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  /** Writes what is queued, then closes every file and stops the writers' threads. */
  @Override
  public void close() {
    List<CaptureWriter> all;
    synchronized (writers) {
      closed = true;
      all = new ArrayList<>(writers.values());
    }
    for (CaptureWriter writer : all) {
      writer.close();
    }
  }
}
