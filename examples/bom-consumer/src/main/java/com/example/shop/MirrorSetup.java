package com.example.shop;

import dev.mirror.core.MirrorConfig;
import dev.mirror.servlet.MirrorFilter;
import java.util.Map;

/** What a user writes after adding mirror through the BOM: it compiles against every module. */
public final class MirrorSetup {

  private MirrorSetup() {}

  /** A filter mirroring to staging. */
  public static MirrorFilter filter() {
    return new MirrorFilter(MirrorConfig.parse(Map.of("mirror.host", "http://staging:8080")));
  }

  /** The other modules are on the class path too. */
  static Class<?>[] modules() {
    return new Class<?>[] {dev.mirror.jaxrs.MirrorFeature.class,
        dev.mirror.admin.MirrorAdmin.class, dev.mirror.transport.jetty.JettyTransport.class};
  }
}
