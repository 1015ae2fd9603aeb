package dev.mirror.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The house rules, read from the compiled classes (target/classes) and the sources of the
 * published modules: core's rooms depend on each other one way only, no room holds more than 20
 * files, and no package is split across the published jars.
 */
class RoomsTest {

  /** The modules published as jars; their main packages must not overlap. */
  private static final List<String> PUBLISHED = List.of("mirror-api", "mirror-core",
      "mirror-admin", "mirror-servlet", "mirror-jaxrs", "mirror-transport-jetty", "mirror-grpc",
      "mirror-capture", "mirror-kafka", "mirror-micrometer", "mirror-spring-boot-starter");

  private static final Pattern CORE_TYPE =
      Pattern.compile("dev/mirror/core((?:/[a-z][a-z0-9]*)*)/[A-Z][\\w$]*");

  @Test
  void noRoomDependsOnARoomThatDependsOnIt() throws IOException {
    Map<String, Set<String>> arrows = arrows(Path.of("target", "classes"));
    assertThat(arrows).as("core's rooms, read from target/classes").containsKey("dev.mirror.core");

    List<List<String>> cycles = new ArrayList<>();
    for (Set<String> component : stronglyConnected(arrows)) {
      if (component.size() > 1) {
        cycles.add(new ArrayList<>(component));
      }
    }
    assertThat(cycles).as("rooms that depend on each other, with %s", arrows).isEmpty();
  }

  @Test
  void noRoomHoldsMoreThanTwentyFiles() throws IOException {
    Map<String, Integer> files = new TreeMap<>();
    Path root = Path.of("src", "main", "java");
    try (Stream<Path> all = Files.walk(root)) {
      all.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !p.getFileName().toString().equals("module-info.java"))
          .forEach(p -> files.merge(root.relativize(p.getParent()).toString()
              .replace(p.getFileSystem().getSeparator(), "."), 1, Integer::sum));
    }
    assertThat(files).isNotEmpty();
    assertThat(files).allSatisfy((room, count) ->
        assertThat(count).as("files in %s", room).isLessThanOrEqualTo(20));
  }

  @Test
  void noPackageIsSplitAcrossThePublishedJars() throws IOException {
    Path project = Path.of("").toAbsolutePath().getParent();
    Map<String, String> owner = new HashMap<>();
    List<String> split = new ArrayList<>();
    for (String module : PUBLISHED) {
      for (String pkg : packages(project.resolve(module).resolve(Path.of("src", "main", "java")))) {
        String before = owner.putIfAbsent(pkg, module);
        if (before != null) {
          split.add(pkg + " in " + before + " and " + module);
        }
      }
    }
    // core's test-jar, which other modules' tests use, must not reopen a package of a jar.
    for (String pkg : packages(Path.of("src", "test", "java"))) {
      if (pkg.startsWith("dev.mirror.core.testing") || pkg.startsWith("dev.mirror.core.conformance")) {
        if (owner.containsKey(pkg)) {
          split.add(pkg + " in " + owner.get(pkg) + " and mirror-core's test-jar");
        }
      }
    }
    assertThat(owner).containsKeys("dev.mirror.api", "dev.mirror.core", "dev.mirror.servlet");
    assertThat(split).isEmpty();
  }

  /** The packages that hold a source file under this root. */
  private static Set<String> packages(Path root) throws IOException {
    Set<String> packages = new TreeSet<>();
    if (!Files.isDirectory(root)) {
      return packages;
    }
    try (Stream<Path> all = Files.walk(root)) {
      all.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> !p.getFileName().toString().equals("module-info.java"))
          .forEach(p -> packages.add(root.relativize(p.getParent()).toString()
              .replace(p.getFileSystem().getSeparator(), ".")));
    }
    return packages;
  }

  /** Room to the rooms its classes name (in class references, descriptors and signatures). */
  private static Map<String, Set<String>> arrows(Path classes) throws IOException {
    Map<String, Set<String>> arrows = new TreeMap<>();
    try (Stream<Path> all = Files.walk(classes)) {
      for (Path file : (Iterable<Path>) all.filter(p -> p.toString().endsWith(".class"))::iterator) {
        String name = classes.relativize(file).toString().replace('\\', '/');
        if (name.equals("module-info.class")) {
          continue;
        }
        String from = room(name.substring(0, name.lastIndexOf('/')));
        Set<String> to = arrows.computeIfAbsent(from, k -> new TreeSet<>());
        for (String text : utf8Constants(file)) {
          Matcher m = CORE_TYPE.matcher(text);
          while (m.find()) {
            String target = room("dev/mirror/core" + m.group(1));
            if (!target.equals(from)) {
              to.add(target);
            }
          }
        }
      }
    }
    return arrows;
  }

  private static String room(String path) {
    return path.replace('/', '.');
  }

  /** The UTF-8 entries of a class file's constant pool: names, descriptors, signatures. */
  private static List<String> utf8Constants(Path classFile) throws IOException {
    List<String> texts = new ArrayList<>();
    try (InputStream raw = Files.newInputStream(classFile);
        DataInputStream in = new DataInputStream(raw)) {
      if (in.readInt() != 0xCAFEBABE) {
        throw new IOException("not a class file: " + classFile);
      }
      in.readUnsignedShort();
      in.readUnsignedShort();
      int count = in.readUnsignedShort();
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> texts.add(in.readUTF());
          case 7, 8, 16, 19, 20 -> in.skipBytes(2);
          case 15 -> in.skipBytes(3);
          case 3, 4, 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
          case 5, 6 -> {
            in.skipBytes(8);
            i++; // takes two entries
          }
          default -> throw new IOException("constant tag " + tag + " in " + classFile);
        }
      }
    }
    return texts;
  }

  /** Tarjan's strongly connected components of the room graph. */
  private static List<Set<String>> stronglyConnected(Map<String, Set<String>> arrows) {
    Map<String, Integer> index = new HashMap<>();
    Map<String, Integer> low = new HashMap<>();
    Deque<String> stack = new ArrayDeque<>();
    Set<String> onStack = new TreeSet<>();
    List<Set<String>> components = new ArrayList<>();
    int[] next = {0};
    for (String room : arrows.keySet()) {
      if (!index.containsKey(room)) {
        connect(room, arrows, index, low, stack, onStack, components, next);
      }
    }
    return components;
  }

  private static void connect(String room, Map<String, Set<String>> arrows,
      Map<String, Integer> index, Map<String, Integer> low, Deque<String> stack,
      Set<String> onStack, List<Set<String>> components, int[] next) {
    index.put(room, next[0]);
    low.put(room, next[0]);
    next[0]++;
    stack.push(room);
    onStack.add(room);
    for (String to : arrows.getOrDefault(room, Set.of())) {
      if (!index.containsKey(to)) {
        connect(to, arrows, index, low, stack, onStack, components, next);
        low.put(room, Math.min(low.get(room), low.get(to)));
      } else if (onStack.contains(to)) {
        low.put(room, Math.min(low.get(room), index.get(to)));
      }
    }
    if (low.get(room).equals(index.get(room))) {
      Set<String> component = new TreeSet<>();
      String member;
      do {
        member = stack.pop();
        onStack.remove(member);
        component.add(member);
      } while (!member.equals(room));
      components.add(component);
    }
  }
}
