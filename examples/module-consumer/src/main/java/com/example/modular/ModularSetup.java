package com.example.modular;

import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import java.util.Map;

/**
 * Runs on the module path: makes an engine for each transport found through the descriptors'
 * {@code provides} (nio and jdk in mirror-core, jetty in mirror-transport-jetty) and checks that
 * core's internal and entry-point rooms are not exported to an application.
 */
public final class ModularSetup {

  private ModularSetup() {}

  public static void main(String[] args) {
    Module core = MirrorEngine.class.getModule();
    Module self = ModularSetup.class.getModule();
    check(core.isNamed() && core.getName().equals("dev.mirror.core"), "core is a named module");
    check(self.isNamed(), "this is a named module");
    check(core.isExported("dev.mirror.core.stats", self), "stats are exported");
    check(!core.isExported("dev.mirror.core.internal.http1", self), "internals are hidden");
    check(!core.isExported("dev.mirror.core.entry", self), "the entry room is for adapters");
    for (String transport : new String[] {"nio", "jdk", "jetty"}) {
      MirrorConfig config = MirrorConfig.parse(Map.of("mirror.host", "http://127.0.0.1:9",
          "mirror.transport", transport));
      try (MirrorEngine engine = config.newEngine()) {
        check(engine.stats().targets().size() == 1, transport + ": an engine with one target");
      }
    }
    System.out.println("module-consumer: mirror runs on the module path");
  }

  private static void check(boolean holds, String what) {
    if (!holds) {
      throw new AssertionError("on the module path: " + what);
    }
  }
}
