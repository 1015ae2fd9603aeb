package dev.mirror.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * What users depend on: every published module is in the BOM, and every built jar carries its
 * stable JPMS name. Reads the reactor's POMs and the jars the build made before this module.
 */
class PublishedArtifactsTest {

  private static final Path ROOT = Path.of("..");

  private static String tag(String pom, String tag) {
    Matcher m = Pattern.compile("<" + Pattern.quote(tag) + ">([^<]+)</").matcher(pom);
    return m.find() ? m.group(1).trim() : null;
  }

  /** The modules that are published: jars whose POM does not skip publishing. */
  private static List<String> published() throws IOException {
    String parent = Files.readString(ROOT.resolve("pom.xml"));
    List<String> modules = new ArrayList<>();
    Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
    while (m.find()) {
      String pom = Files.readString(ROOT.resolve(m.group(1)).resolve("pom.xml"));
      boolean skipped = "true".equals(tag(pom, "mirror.publish.skip"))
          || !pom.contains("<artifactId>mirror-parent</artifactId>");
      if (!skipped && !"pom".equals(tag(pom, "packaging"))) {
        modules.add(m.group(1));
      }
    }
    return modules;
  }

  @Test
  void theBom_listsExactlyThePublishedModules() throws IOException {
    String bom = Files.readString(ROOT.resolve("mirror-bom/pom.xml"));
    TreeSet<String> listed = new TreeSet<>();
    Matcher m = Pattern.compile("<artifactId>(mirror-[^<]+)</artifactId>").matcher(bom);
    while (m.find()) {
      if (!m.group(1).equals("mirror-bom")) {
        listed.add(m.group(1));
      }
    }
    assertThat(listed).isEqualTo(new TreeSet<>(published()));
  }

  @Test
  void everyPublishedJar_carriesItsAutomaticModuleName() throws IOException {
    String version = tag(Files.readString(ROOT.resolve("pom.xml")), "version");
    for (String module : published()) {
      Path jar = ROOT.resolve(module).resolve("target").resolve(module + "-" + version + ".jar");
      assumeTrue(Files.exists(jar), "jars are checked when the build packaged them (mvn verify)");
      String expected = tag(Files.readString(ROOT.resolve(module).resolve("pom.xml")),
          "mirror.module.name");
      try (JarFile file = new JarFile(jar.toFile())) {
        assertThat(file.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
            .as(module).isEqualTo(expected).startsWith("dev.mirror.");
      }
      for (String classifier : new String[] {"sources", "javadoc"}) {
        assertThat(jar.resolveSibling(module + "-" + version + "-" + classifier + ".jar"))
            .as(module + " " + classifier).exists();
      }
    }
  }
}
