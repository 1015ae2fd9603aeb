package dev.mirror.cli;

import dev.mirror.core.stats.ComparisonReport;
import dev.mirror.core.stats.TargetStats;
import java.time.Duration;

/**
 * What a gate's replay found.
 *
 * @param records records read from the capture
 * @param skipped records the method and path filters left out
 * @param notSent records the engine did not send (a target's circuit open, a byte cap)
 * @param comparisons the comparison report (the admin endpoint's), policy {@code default}
 * @param candidate the candidate's counts and latency
 * @param baseline the baseline's
 * @param baseline2 the second baseline's, or null
 * @param duration how long the replay took
 */
record GateResult(long records, long skipped, long notSent, ComparisonReport comparisons,
    TargetStats candidate, TargetStats baseline, TargetStats baseline2, Duration duration) {

  /** The one policy's report, or null if nothing was compared. */
  ComparisonReport.PolicyReport policy() {
    return comparisons.policies().isEmpty() ? null : comparisons.policies().get(0);
  }

  /** Errors on the candidate's side: copies that failed or were dropped. */
  long candidateErrors() {
    return candidate.failedTotal() + candidate.droppedTotal();
  }
}
