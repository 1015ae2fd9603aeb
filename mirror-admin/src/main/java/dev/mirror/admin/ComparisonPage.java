package dev.mirror.admin;

import dev.mirror.api.Difference;
import dev.mirror.core.stats.ComparisonReport;
import java.util.Locale;
import java.util.Map;

/**
 * The comparison report as one small server-rendered page ({@code GET /comparisons.html}): per
 * policy its counts, then per endpoint and target its fields, most often different first, with a
 * few samples. No script, no outside resource; every value escaped. Public for renderers outside
 * the endpoint ({@code mirror gate}'s HTML report); it needs no servlet.
 */
public final class ComparisonPage {

  private ComparisonPage() {}

  /** Returns the page for {@code report}: a whole HTML document. */
  public static String render(ComparisonReport report) {
    StringBuilder html = new StringBuilder(4096);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>mirror: comparisons</title><style>")
        .append("body{font:14px system-ui,sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse;margin:.5em 0 1.5em}")
        .append("th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}")
        .append("th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}")
        .append("tr.noise td{color:#999}.diff{color:#b00020;font-weight:600}.ok{color:#1b5e20}")
        .append("code{font:12px ui-monospace,monospace;background:#f6f6f6;padding:0 .2em}")
        .append("</style></head><body>\n<h1>Shadow answers compared with the primary's</h1>\n");
    if (report.policies().isEmpty()) {
      html.append("<p>No policy compares answers. Set <code>mirror.compare=true</code>.</p>");
    }
    if (report.turnedAway() > 0) {
      html.append("<p class=\"diff\">").append(report.turnedAway())
          .append(" complete pairs were not compared: too many waited for the comparison thread.")
          .append("</p>\n");
    }
    for (ComparisonReport.PolicyReport policy : report.policies()) {
      policy(html, policy);
    }
    return html.append("</body></html>\n").toString();
  }

  private static void policy(StringBuilder html, ComparisonReport.PolicyReport policy) {
    html.append("<h2>Policy ").append(escape(policy.policy())).append(": ")
        .append(escape(String.join(", ", policy.targets())))
        .append(policy.baseline() == null ? "" : " (baseline " + escape(policy.baseline()) + ")")
        .append("</h2>\n<table><tr>");
    String[] heads = {"compared", "matched", "mismatched", "ignored", "shadow missing",
        "primary missing", "evicted", "bodies not compared", "pending"};
    for (String head : heads) {
      html.append("<th>").append(head).append("</th>");
    }
    html.append("</tr><tr>");
    long[] values = {policy.compared(), policy.matched(), policy.mismatched(), policy.ignored(),
        policy.shadowMissing(), policy.primaryMissing(), policy.evicted(),
        policy.bodiesNotCompared(), policy.pending()};
    for (int i = 0; i < values.length; i++) {
      html.append("<td class=\"n").append(i == 2 && values[i] > 0 ? " diff" : "").append("\">")
          .append(values[i]).append("</td>");
    }
    html.append("</tr></table>\n");
    for (ComparisonReport.EndpointReport endpoint : policy.endpoints()) {
      endpoint(html, endpoint, policy.baseline() != null);
    }
  }

  private static void endpoint(StringBuilder html, ComparisonReport.EndpointReport endpoint,
      boolean baseline) {
    html.append("<h3><code>").append(escape(endpoint.endpoint())).append("</code> against ")
        .append(escape(endpoint.target())).append("</h3>\n<p>")
        .append(endpoint.compared()).append(" compared, ")
        .append("<span class=\"").append(endpoint.mismatched() > 0 ? "diff" : "ok").append("\">")
        .append(endpoint.mismatched()).append(" mismatched</span>")
        .append(baseline ? ", " + endpoint.baselineCompared() + " against the baseline" : "")
        .append("; mean answer ").append(millis(endpoint.primaryMillis()))
        .append(" primary, ").append(millis(endpoint.shadowMillis())).append(" shadow</p>\n");
    if (endpoint.fields().isEmpty()) {
      html.append("<p class=\"ok\">No difference.</p>\n");
      return;
    }
    html.append("<table><tr><th>field</th><th>differences</th><th>rate</th>");
    if (baseline) {
      html.append("<th>baseline rate</th><th>noise</th>");
    }
    html.append("<th>how</th><th>samples (redacted)</th></tr>\n");
    for (ComparisonReport.FieldReport field : endpoint.fields()) {
      html.append("<tr").append(field.noise() ? " class=\"noise\"" : "").append("><td><code>")
          .append(escape(field.field())).append("</code></td><td class=\"n\">")
          .append(field.differences()).append("</td><td class=\"n\">")
          .append(percent(field.rate())).append("</td>");
      if (baseline) {
        html.append("<td class=\"n\">").append(percent(field.baselineRate())).append("</td><td>")
            .append(field.noise() ? "noise" : "").append("</td>");
      }
      html.append("<td>");
      for (Map.Entry<Difference.Kind, Long> kind : field.kinds().entrySet()) {
        html.append(kind.getKey().name().toLowerCase(Locale.ROOT)).append(" ")
            .append(kind.getValue()).append("<br>");
      }
      html.append("</td><td>");
      for (ComparisonReport.Sample sample : field.samples()) {
        html.append("<code>").append(escape(sample.field())).append("</code> ")
            .append(escape(String.valueOf(sample.primary()))).append(" &rarr; ")
            .append(escape(String.valueOf(sample.shadow()))).append(" <small>")
            .append(escape(sample.requestId())).append("</small><br>");
      }
      html.append("</td></tr>\n");
    }
    html.append("</table>\n");
  }

  private static String millis(double value) {
    return String.format(Locale.ROOT, "%.1f ms", value);
  }

  private static String percent(double rate) {
    return String.format(Locale.ROOT, "%.1f %%", 100 * rate);
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
