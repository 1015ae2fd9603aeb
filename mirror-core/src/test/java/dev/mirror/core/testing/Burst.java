package dev.mirror.core.testing;

import dev.mirror.api.MirrorTransport;
import dev.mirror.api.ShadowRequest;
import dev.mirror.api.ShadowResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Hands copies to a transport's loop together, as the engine does under load. */
public final class Burst {

  private Burst() {}

  public static List<CompletableFuture<ShadowResponse>> send(MirrorTransport transport,
      List<ShadowRequest> copies) throws Exception {
    List<CompletableFuture<ShadowResponse>> all = new ArrayList<>();
    CompletableFuture<Void> handed = new CompletableFuture<>();
    transport.executor().execute(() -> {
      for (ShadowRequest c : copies) {
        all.add(transport.send(c));
      }
      handed.complete(null);
    });
    handed.get(10, TimeUnit.SECONDS);
    return all;
  }
}
