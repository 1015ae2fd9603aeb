package dev.mirror.spring;

import dev.mirror.core.MirrorEngine;
import dev.mirror.core.stats.MirrorStats;
import dev.mirror.core.stats.PolicyStats;
import dev.mirror.core.stats.TargetStats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The Actuator endpoint {@code mirror}: reading gives whether mirroring is on and the stats
 * (engine, policies, targets); writing {@code {"enabled": false}} switches it off (and {@code
 * true} on again), secured like the application's other Actuator write operations.
 */
@Endpoint(id = "mirror")
public class MirrorEndpoint {

  private final MirrorEngine engine;

  /** An endpoint over this engine. */
  public MirrorEndpoint(MirrorEngine engine) {
    this.engine = engine;
  }

  /** Returns whether mirroring is on, and the stats. */
  @ReadOperation
  public Map<String, Object> mirror() {
    MirrorStats stats = engine.stats();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("enabled", engine.isEnabled());
    out.put("requests", stats.requests());
    out.put("unrouted", stats.unrouted());
    out.put("disabled", stats.disabled());
    out.put("errors", stats.errors());
    List<Map<String, Object>> policies = new ArrayList<>();
    for (PolicyStats policy : stats.policies()) {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("name", policy.name());
      p.put("submitted", policy.submitted());
      p.put("sampledOut", policy.sampledOut());
      p.put("filteredOut", policy.filteredOut());
      p.put("unprovenMarkers", policy.unprovenMarkers());
      List<Map<String, Object>> targets = new ArrayList<>();
      for (TargetStats target : policy.targets()) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("name", target.target());
        t.put("offered", target.offered());
        t.put("sent", target.sent());
        t.put("dropped", target.droppedTotal());
        t.put("failed", target.failedTotal());
        t.put("inFlight", target.inFlight());
        t.put("circuitOpen", target.circuitOpen());
        targets.add(t);
      }
      p.put("targets", targets);
      policies.add(p);
    }
    out.put("policies", policies);
    return out;
  }

  /** Switches mirroring on or off; copies in flight go on. Returns the state after. */
  @WriteOperation
  public Map<String, Object> enabled(boolean enabled) {
    engine.setEnabled(enabled);
    return mirror();
  }
}
