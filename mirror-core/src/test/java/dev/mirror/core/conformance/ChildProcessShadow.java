package dev.mirror.core.conformance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A server in another language, run as a child process from a script in this package's test
 * resources (copied to a temporary file). The script prints {@code NAME value} lines about itself
 * ({@link #fact}), ending with {@code PORT n} once listening, then {@code RECV id} for each request
 * it reads, before answering; a reader thread records those in the ledger. The child exits when its standard input closes, so it cannot outlive this JVM.
 */
final class ChildProcessShadow implements ShadowServer {

  private final Path script;
  private final Path log;
  private final Process process;
  private final Thread reader;
  private final int port;
  private final Map<String, String> facts = new ConcurrentHashMap<>();

  /**
   * Starts {@code interpreter script args...}; waits at most 15 s for its port.
   *
   * @param resource the script's name beside this class
   */
  ChildProcessShadow(VerifyingLedger ledger, String interpreter, String resource,
      Object... args) throws Exception {
    String suffix = resource.substring(resource.lastIndexOf('.'));
    script = Files.createTempFile("conformance-shadow", suffix);
    log = Files.createTempFile("conformance-shadow", ".log");
    try (InputStream in = ChildProcessShadow.class.getResourceAsStream(resource)) {
      Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
    }
    List<String> command = new ArrayList<>(List.of(interpreter, script.toString()));
    for (Object a : args) {
      command.add(String.valueOf(a));
    }
    process = new ProcessBuilder(command).redirectError(log.toFile()).start();
    CompletableFuture<Integer> listening = new CompletableFuture<>();
    reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          int space = line.indexOf(' ');
          String name = space < 0 ? line : line.substring(0, space);
          String value = space < 0 ? "" : line.substring(space + 1).trim();
          if (name.equals("RECV")) {
            ledger.record(value);
          } else {
            facts.put(name, value);
            if (name.equals("PORT")) {
              listening.complete(Integer.parseInt(value));
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        listening.completeExceptionally(e);
      }
      listening.completeExceptionally(new IOException("the shadow ended without a port"));
    }, "conformance-" + interpreter + "-stdout");
    reader.setDaemon(true);
    reader.start();
    try {
      port = listening.get(15, TimeUnit.SECONDS);
    } catch (Exception e) {
      close();
      throw new IllegalStateException(String.join(" ", command) + " gave no port: "
          + e + "; its stderr: " + Files.readString(log), e);
    }
  }

  /** What the script said about itself as {@code name value} before its port, or null. */
  String fact(String name) {
    return facts.get(name);
  }

  /** True if {@code command --version} runs and succeeds within 10 s. */
  static boolean onPath(String command) {
    try {
      Process p = new ProcessBuilder(command, "--version")
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public String address() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
      reader.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      Files.deleteIfExists(script);
      Files.deleteIfExists(log);
    } catch (IOException e) {
      // temporary files: the OS cleans up
    }
  }
}
