package dev.mirror.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mirror.api.MirrorMode;
import dev.mirror.api.MirrorPolicy;
import dev.mirror.api.MirrorTarget;
import dev.mirror.core.config.ConfigCatalog;
import dev.mirror.core.MirrorConfig;
import dev.mirror.core.MirrorEngine;
import dev.mirror.core.control.ControlState;
import dev.mirror.core.stats.MirrorStats;
import dev.mirror.core.stats.PolicyStats;
import dev.mirror.core.stats.TargetStats;
import java.util.Map;
import java.util.SortedMap;

/** The JSON the endpoint answers with: a route's settings and stats, and the engine's stats. */
final class AdminViews {

  private final ObjectMapper json;

  AdminViews(ObjectMapper json) {
    this.json = json;
  }

  /**
   * A route: its flat keys (as {@code mirror.*}, without the policy's prefix; values of headers
   * set on copies masked, since they may carry credentials), the gateway's fields, its stats.
   */
  ObjectNode route(MirrorEngine engine, MirrorPolicy policy, PolicyStats stats) {
    ObjectNode node = json.createObjectNode();
    node.put("route", policy.name());
    node.put("enabled", policy.enabled());
    String prefix = "mirror.policy." + policy.name() + ".";
    String ratio = null;
    MirrorConfig config = engine.config().orElse(null);
    if (config != null) {
      ObjectNode settings = node.putObject("settings");
      SortedMap<String, String> keys = config.toProperties();
      for (Map.Entry<String, String> e : keys.entrySet()) {
        if (e.getKey().startsWith(prefix)) {
          String key = "mirror." + e.getKey().substring(prefix.length());
          boolean secret = ConfigCatalog.isSecret(key);
          settings.put(key, secret ? policy.rewrite().maskValue() : e.getValue());
        }
      }
      ratio = keys.get(prefix + "sample-ratio");
    } else {
      node.putNull("settings");
    }
    ObjectNode gateway = node.putObject("mirror");
    if (!policy.targets().isEmpty()) {
      MirrorTarget target = policy.targets().get(0);
      // With its scheme, as a change must give it: the view reads back as a valid change.
      gateway.put("mirrorHost", target.directory() != null ? target.address()
          : target.scheme() + "://" + target.host());
      gateway.put("mirrorPort", target.port());
    }
    if (config != null) {
      double share = ratio == null ? 1.0 : Double.parseDouble(ratio);
      gateway.put("percentage", policy.enabled() ? Math.round(share * 100) : 0);
    }
    gateway.put("synchronous", policy.mode() == MirrorMode.SYNCHRONOUS);
    gateway.put("logResponses", policy.logResponses());
    node.set("stats", policy(stats));
    return node;
  }

  /**
   * What this replica runs and what every replica of its fleet reported: {@code store} (null
   * without one), {@code replica}, {@code version}, {@code caughtUp}, {@code refused}, {@code
   * lastError}, and {@code replicas}, each with its {@code replica}, {@code version}, {@code
   * failedVersion} and {@code error}.
   */
  ObjectNode fleet(ControlState state) {
    ObjectNode node = json.createObjectNode();
    node.put("store", state.store());
    node.put("replica", state.replica());
    node.put("version", state.version());
    node.put("caughtUp", state.caughtUp());
    node.put("refused", state.refused());
    node.put("lastError", state.lastError());
    for (ControlState.ReplicaReport report : state.replicas()) {
      ObjectNode r = node.withArray("replicas").addObject();
      r.put("replica", report.replica());
      r.put("version", report.version());
      r.put("failedVersion", report.failedVersion());
      r.put("error", report.error());
    }
    if (state.replicas().isEmpty()) {
      node.putArray("replicas");
    }
    return node;
  }

  ObjectNode stats(MirrorStats stats) {
    ObjectNode node = json.createObjectNode();
    node.put("requests", stats.requests());
    node.put("unrouted", stats.unrouted());
    node.put("disabled", stats.disabled());
    node.put("errors", stats.errors());
    stats.policies().forEach(p -> node.withArray("policies").add(policy(p)));
    return node;
  }

  private ObjectNode policy(PolicyStats stats) {
    ObjectNode node = json.createObjectNode();
    node.put("name", stats.name());
    node.put("submitted", stats.submitted());
    node.put("sampledOut", stats.sampledOut());
    node.put("filteredOut", stats.filteredOut());
    node.put("offered", stats.offered());
    node.put("trailersLeftOut", stats.trailersLeftOut());
    node.put("unprovenMarkers", stats.unprovenMarkers());
    stats.targets().forEach(t -> node.withArray("targets").add(target(t)));
    return node;
  }

  private ObjectNode target(TargetStats stats) {
    ObjectNode node = json.createObjectNode();
    node.put("name", stats.target());
    node.put("offered", stats.offered());
    node.put("sampledOut", stats.sampledOut());
    node.put("sent", stats.sent());
    ObjectNode dropped = node.putObject("dropped");
    stats.dropped().forEach((reason, n) -> dropped.put(reason.name(), n));
    ObjectNode failed = node.putObject("failed");
    stats.failed().forEach((reason, n) -> failed.put(reason.name(), n));
    ObjectNode responses = node.putObject("responses");
    for (int statusClass = 1; statusClass <= 5; statusClass++) {
      responses.put(statusClass + "xx", stats.responses(statusClass));
    }
    node.put("inFlight", stats.inFlight());
    node.put("circuitOpen", stats.circuitOpen());
    node.put("latencyP50Millis", stats.latency().quantileMillis(0.5));
    node.put("latencyP99Millis", stats.latency().quantileMillis(0.99));
    node.put("waits", stats.waited().count());
    node.put("waitedP99Millis", stats.waited().quantileMillis(0.99));
    node.put("retries", stats.retries().scheduled());
    node.put("retriesExhausted", stats.retries().exhausted());
    node.put("retriesRefused", stats.retries().refused());
    node.put("retriesPending", stats.retries().pending());
    return node;
  }
}
