package dev.mirror.core.internal.control;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a {@code .properties} file ({@code mirror.config-file}) and hands its keys over when its
 * content changes. It watches the file's directory, so that a Kubernetes ConfigMap's update (the
 * {@code ..data} symlink swapped to a new directory: several events at once) is seen; events are
 * gathered until the directory has been quiet for {@value #QUIET_MILLIS} ms, then the file is read
 * once, through its symlinks, and handed over only if its bytes differ from the last read: one
 * swap, one change.
 */
public final class ConfigFileWatch implements AutoCloseable {

  /** How long the directory must be quiet before the file is read: {@value} ms. */
  public static final long QUIET_MILLIS = 200;

  private static final Logger LOG = LoggerFactory.getLogger(ConfigFileWatch.class);

  private final Path file;
  private final Consumer<Map<String, String>> apply;
  private final WatchService watch;
  private final Thread thread;
  private byte[] last;

  /**
   * Starts watching.
   *
   * @param apply takes the file's keys; throws when it refuses them (the watch goes on)
   * @throws IOException if the directory cannot be watched
   */
  public ConfigFileWatch(Path file, Consumer<Map<String, String>> apply) throws IOException {
    this.file = file.toAbsolutePath();
    this.apply = apply;
    this.last = digest(read());
    this.watch = FileSystems.getDefault().newWatchService();
    this.file.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE,
        StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
    this.thread = new Thread(this::run, "mirror-config-watch");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    try {
      while (true) {
        WatchKey key = watch.take();
        key.pollEvents();
        key.reset();
        // One change may be many events (a ConfigMap's swap, an editor's save): wait for quiet.
        while ((key = watch.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null) {
          key.pollEvents();
          key.reset();
        }
        reload();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    } catch (RuntimeException | Error e) {
      LOG.error("mirror: the watch of {} stopped", file, e);
    }
  }

  private void reload() {
    byte[] bytes = read();
    byte[] digest = digest(bytes);
    if (Arrays.equals(digest, last)) {
      return;
    }
    last = digest;
    Map<String, String> keys = new TreeMap<>();
    if (bytes != null) {
      Properties properties = new Properties();
      try {
        properties.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
      } catch (IOException | IllegalArgumentException e) {
        keys = null;
        LOG.debug("mirror: {} is not a properties file", file, e);
      }
      if (keys != null) {
        for (String name : properties.stringPropertyNames()) {
          keys.put(name, properties.getProperty(name));
        }
      }
    } else {
      keys = null;
    }
    try {
      apply.accept(keys);
    } catch (RuntimeException e) {
      // The consumer logs and counts its refusals; nothing more to do here.
    }
  }

  private byte[] read() {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      return null;
    }
  }

  private static byte[] digest(byte[] bytes) {
    if (bytes == null) {
      return new byte[0];
    }
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops watching. */
  @Override
  public void close() {
    try {
      watch.close();
    } catch (IOException e) {
      LOG.debug("mirror: closing the watch of {}", file, e);
    }
    thread.interrupt();
  }
}
