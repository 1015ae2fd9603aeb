package dev.mirror.capture;

import dev.mirror.api.Headers;
import dev.mirror.api.ShadowResponse;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.channels.Channels;
import java.nio.file.FileSystems;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One directory's capture files, written by one thread ({@code mirror-capture-<dir>}): records
 * in arrival order, a new file past {@code max-file-bytes} or {@code rotate-every}, the oldest
 * files deleted while all of them take more than {@code max-total-bytes}. Files are named {@code
 * capture-<UTC time>-<sequence>.ndjson}, so names sort in writing order.
 *
 * <p>Copies hold production data: on a POSIX file system, directories this writer creates are
 * {@code rwx------} (0700) and capture files {@code rw-------} (0600), whatever the process's
 * umask would give; a directory that already exists keeps its permissions, and is named in the
 * log if others than its owner may read it.
 */
final class CaptureWriter {

  private static final Logger LOG = LoggerFactory.getLogger(CaptureWriter.class);
  private static final DateTimeFormatter STAMP = DateTimeFormatter
      .ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  /** What a written copy reports: the disk took it. */
  private static final ShadowResponse WRITTEN = new ShadowResponse(201, Headers.empty());

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  /** Capture files: read and written by their owner only. */
  static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString(
      "rw-------");
  /** Directories created for captures: their owner's only. */
  static final Set<PosixFilePermission> DIRECTORY_PERMISSIONS = PosixFilePermissions.fromString(
      "rwx------");

  private record Pending(CaptureRecord record, CompletableFuture<ShadowResponse> written) {}

  private final Path directory;
  private final CaptureSettings settings;
  private final Clock clock;
  private final BlockingQueue<Pending> queue;
  private final Thread thread;
  private volatile boolean running = true;
  private OutputStream out;
  private Path file;
  private long fileBytes;
  private Instant openedAt;
  private int sequence;

  CaptureWriter(Path directory, CaptureSettings settings, Clock clock) throws IOException {
    this.directory = createDirectory(directory);
    this.settings = settings;
    this.clock = clock;
    this.queue = new ArrayBlockingQueue<>(settings.queue());
    this.thread = new Thread(this::run, "mirror-capture-" + directory.getFileName());
    thread.setDaemon(true);
    thread.start();
  }

  private static Path createDirectory(Path directory) throws IOException {
    if (!POSIX) {
      return Files.createDirectories(directory);
    }
    if (Files.isDirectory(directory)) {
      Set<PosixFilePermission> others = EnumSet.copyOf(Files.getPosixFilePermissions(directory));
      others.retainAll(EnumSet.of(PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_EXECUTE));
      if (!others.isEmpty()) {
        LOG.warn("mirror capture: {} is {}: others than its owner may list it (capture files"
            + " are created rw------- all the same)", directory,
            PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
      }
      return directory;
    }
    Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(
        DIRECTORY_PERMISSIONS));
    // The umask may have taken bits away, never added any; set them exactly all the same.
    Files.setPosixFilePermissions(directory, DIRECTORY_PERMISSIONS);
    return directory;
  }

  /** Queues a record; false if the queue is full. */
  boolean offer(CaptureRecord record, CompletableFuture<ShadowResponse> written) {
    return running && queue.offer(new Pending(record, written));
  }

  private void run() {
    while (running || !queue.isEmpty()) {
      Pending next;
      try {
        next = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        break;
      }
      if (next == null) {
        flush();
        continue;
      }
      write(next);
      if (queue.isEmpty()) {
        flush(); // what is written becomes visible at once when the traffic pauses
      }
    }
    Pending left;
    while ((left = queue.poll()) != null) {
      left.written().completeExceptionally(new IOException("the capture writer stopped"));
    }
    closeFile();
  }

  private void write(Pending pending) {
    try {
      Instant now = clock.instant();
      if (out == null || fileBytes >= settings.maxFileBytes()
          || !now.isBefore(openedAt.plus(settings.rotateEvery()))) {
        rotate(now);
      }
      CountingStream counted = new CountingStream(out);
      pending.record().writeTo(counted);
      fileBytes += counted.count;
      pending.written().complete(WRITTEN);
    } catch (IOException | RuntimeException e) {
      pending.written().completeExceptionally(e instanceof IOException ? e
          : new IOException("capture to " + directory + " failed: " + e.getMessage(), e));
      closeFile(); // the next record opens a fresh file
    }
  }

  private void rotate(Instant now) throws IOException {
    closeFile();
    file = directory.resolve("capture-" + STAMP.format(now) + "-"
        + String.format("%06d", ++sequence) + ".ndjson");
    Set<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    FileAttribute<?>[] owned = POSIX
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS)}
        : new FileAttribute<?>[0];
    out = new BufferedOutputStream(Channels.newOutputStream(Files.newByteChannel(file, options,
        owned)), 64 * 1024);
    fileBytes = 0;
    openedAt = now;
    enforceTotal();
  }

  /** Deletes the oldest capture files while they all take more than the cap (not the open one). */
  private void enforceTotal() throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> all = Files.newDirectoryStream(directory, "capture-*.ndjson")) {
      all.forEach(files::add);
    }
    files.sort(null);
    long total = 0;
    for (Path f : files) {
      total += Files.size(f);
    }
    for (Path oldest : files) {
      if (total <= settings.maxTotalBytes() - settings.maxFileBytes() || oldest.equals(file)) {
        break;
      }
      long size = Files.size(oldest);
      Files.deleteIfExists(oldest);
      total -= size;
      LOG.info("mirror capture: deleted {} ({} bytes): {} holds more than mirror.file"
          + ".max-total-bytes with the next file", oldest.getFileName(), size, directory);
    }
  }

  private void flush() {
    if (out != null) {
      try {
        out.flush();
      } catch (IOException e) {
        LOG.warn("mirror capture: flushing {} failed: {}", file, e.getMessage());
        closeFile();
      }
    }
  }

  private void closeFile() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException e) {
        LOG.warn("mirror capture: closing {} failed: {}", file, e.getMessage());
      }
      out = null;
    }
  }

  /** Writes what is queued, closes the file, stops the thread (waits at most 5 s). */
  void close() {
    running = false;
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static final class CountingStream extends java.io.FilterOutputStream {
    long count;

    CountingStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int offset, int length) throws IOException {
      out.write(b, offset, length);
      count += length;
    }

    @Override
    public void close() {
      // the file stays open
    }
  }
}
