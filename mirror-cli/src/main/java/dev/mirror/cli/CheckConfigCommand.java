package dev.mirror.cli;

import dev.mirror.core.MirrorConfig;
import dev.mirror.core.config.ConfigCatalog;
import dev.mirror.core.config.MirrorConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code mirror check-config <file>}: parses a properties or YAML file with the core's own parser
 * (its messages: the key, the value, what is allowed; "did you mean" for a misspelt key; a key
 * at a level it does not apply to) and prints the effective configuration, every key explicit,
 * secrets masked.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
    description = {"Checks a configuration file and prints the effective one.", "",
        "Checks a mirror configuration (.properties, or .yaml/.yml flattened to"
        + " mirror.* keys) with the library's own parser and prints the effective configuration:"
        + " every key at its most specific place, with its value or default, secrets shown as "
        + ConfigCatalog.SECRET_SHOWN + ".",
        "Keys not starting with mirror. are ignored, as the library ignores them."})
final class CheckConfigCommand implements Callable<Integer> {

  @Parameters(paramLabel = "<file>", description = "the configuration file")
  private Path file;

  @CommandLine.Option(names = "--quiet", description = "print nothing when the file is valid")
  private boolean quiet;

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Map<String, String> keys;
    try {
      keys = ConfigFile.read(file);
    } catch (IOException e) {
      err.println("mirror check-config: " + file + ": cannot be read: " + e.getMessage());
      return ExitStatus.USAGE;
    }
    MirrorConfig config;
    try {
      config = MirrorConfig.parse(keys);
    } catch (MirrorConfigException e) {
      err.println("mirror check-config: " + file + ": " + e.getMessage());
      return ExitStatus.USAGE;
    }
    if (!quiet) {
      SortedMap<String, String> shown = config.toProperties();
      out.println("# " + file + ": valid; the effective configuration (" + shown.size()
          + " keys, secrets masked)");
      shown.forEach((key, value) -> out.println(key + "="
          + (ConfigCatalog.isSecret(key) ? ConfigCatalog.SECRET_SHOWN : value)));
    }
    return ExitStatus.OK;
  }
}
