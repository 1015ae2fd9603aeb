package dev.mirror.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 34, item 9: every {@code java} block of README compiles as it is shown, with the imports
 * it shows and nothing else. A block is statements, so each is put in a method of its own class;
 * the names it uses without declaring them are what the surrounding text calls the user's own
 * (their engine, request, registry, resource and service classes), declared once below.
 */
class ReadmeSnippetsCompileTest {

  /** What README's snippets take from the user's application, declared for all of them. */
  private static final String USERS_OWN = """
        // The user's own, as README's text describes them:
        dev.mirror.core.MirrorEngine engine;
        dev.mirror.api.MirroredRequest request;
        dev.mirror.api.Headers headers;
        java.nio.ByteBuffer body;
        long nanos;
        io.micrometer.core.instrument.MeterRegistry meterRegistry;
        java.util.concurrent.atomic.AtomicBoolean stop;
        Metrics metrics;
        interface Metrics { void record(Object outcome, Object differences); }
        static class OrderResource {}
        static class OrderService implements io.grpc.BindableService {
          public io.grpc.ServerServiceDefinition bindService() { return null; }
        }
      """;

  @TempDir Path dir;

  @Test
  void everyJavaBlockOfReadme_compilesAsShown() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    Matcher block = Pattern.compile("(?m)^```java\\n(.*?)^```", Pattern.DOTALL).matcher(readme);
    List<Path> sources = new ArrayList<>();
    while (block.find()) {
      int line = (int) readme.substring(0, block.start()).lines().count() + 2;
      String name = "ReadmeLine" + line;
      List<String> imports = new ArrayList<>();
      List<String> code = new ArrayList<>();
      for (String text : block.group(1).split("\n", -1)) {
        if (code.isEmpty() && (text.startsWith("import ") || text.isBlank())) {
          imports.add(text);
        } else {
          code.add("    " + text);
        }
      }
      assertThat(imports).as("README line %d: a block starts with its imports", line)
          .anyMatch(l -> l.startsWith("import "));
      // Each snippet's first line is where README's block starts, so messages point there.
      String source = String.join("\n", imports) + "\nclass " + name + " {\n  void snippet()"
          + " throws Exception {\n" + String.join("\n", code) + "\n  }\n" + USERS_OWN + "}\n";
      sources.add(Files.writeString(dir.resolve(name + ".java"), source));
    }
    assertThat(sources).as("java blocks in README").hasSizeGreaterThanOrEqualTo(6);

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
        null)) {
      List<String> options = List.of("-classpath", classPath(), "-d",
          Files.createDirectories(dir.resolve("classes")).toString(), "-proc:none",
          "-Xlint:none");
      boolean compiled = javac.getTask(null, files, diagnostics, options, null,
          files.getJavaFileObjectsFromPaths(sources)).call();
      String errors = diagnostics.getDiagnostics().stream()
          .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
          .map(d -> d.getSource().getName().replaceAll(".*/", "") + ":" + d.getLineNumber()
              + ": " + d.getMessage(Locale.ROOT))
          .collect(Collectors.joining("\n"));
      assertThat(errors).as("README's snippets, compiled as shown").isEmpty();
      assertThat(compiled).isTrue();
    }
  }

  /** The test's class path: each entry of the class loaders', manifest-only jars included. */
  private static String classPath() throws URISyntaxException {
    Set<String> entries = new LinkedHashSet<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      entries.add(entry);
    }
    // Surefire may start the JVM with one manifest jar: ask where the classes come from too.
    for (Class<?> type : new Class<?>[] {dev.mirror.api.MirroredRequest.class,
        dev.mirror.core.MirrorEngine.class, dev.mirror.jaxrs.MirrorFeature.class,
        org.glassfish.jersey.server.ResourceConfig.class, jakarta.ws.rs.core.Feature.class,
        dev.mirror.grpc.MirrorServerInterceptor.class, io.grpc.Server.class,
        dev.mirror.kafka.KafkaReplayer.class, dev.mirror.micrometer.MirrorMetrics.class,
        io.micrometer.core.instrument.MeterRegistry.class}) {
      entries.add(Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString());
    }
    return String.join(File.pathSeparator, entries);
  }
}
