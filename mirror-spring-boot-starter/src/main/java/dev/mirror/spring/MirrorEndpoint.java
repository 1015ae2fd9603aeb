package dev.mirror.spring;

import dev.mirror.core.MirrorEngine;
import dev.mirror.core.control.ControlState;
import dev.mirror.core.control.ControlUnavailableException;
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
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The Actuator endpoint {@code mirror}: reading gives whether mirroring is on, the stats
 * (engine, policies, targets), the {@code configVersion} it runs and, with a control store, the
 * fleet's reports ({@code fleet}); writing {@code {"enabled": false}} switches it off (and {@code
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
    out.put("configVersion", engine.configVersion());
    ControlState state = engine.controlState();
    if (state.store() != null) {
      Map<String, Object> fleet = new LinkedHashMap<>();
      fleet.put("store", state.store());
      fleet.put("replica", state.replica());
      fleet.put("version", state.version());
      fleet.put("caughtUp", state.caughtUp());
      fleet.put("refused", state.refused());
      fleet.put("lastError", state.lastError());
      List<Map<String, Object>> replicas = new ArrayList<>();
      for (ControlState.ReplicaReport report : state.replicas()) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("replica", report.replica());
        r.put("version", report.version());
        r.put("failedVersion", report.failedVersion());
        r.put("error", report.error());
        replicas.add(r);
      }
      fleet.put("replicas", replicas);
      out.put("fleet", fleet);
    }
    return out;
  }

  /**
   * Switches mirroring on or off; copies in flight go on. Returns the state after. With a
   * control store ({@code mirror.control}) the switch is the fleet's: written to the store and
   * applied by every replica; answered 503 when the store does not take it (applied nowhere).
   */
  @WriteOperation
  public WebEndpointResponse<Map<String, Object>> enabled(boolean enabled) {
    try {
      engine.setEnabled(enabled);
    } catch (ControlUnavailableException e) {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("error", e.getMessage());
      if (e.writtenVersion() >= 0) {
        error.put("configVersion", e.writtenVersion());
        return new WebEndpointResponse<>(error, 202);
      }
      return new WebEndpointResponse<>(error, WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
    }
    return new WebEndpointResponse<>(mirror());
  }
}
