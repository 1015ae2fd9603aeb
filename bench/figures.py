"""What the load scripts' tables share (imported by their embedded Python, run from the root)."""
import statistics


def per_copy(cpu_per_request, baseline_cpu_per_request, requests, submitted, sent):
    """CPU the mirroring added, per copy delivered: (this setup's CPU per request - its
    baseline's) x requests / copies delivered; only where most copies were delivered (a handful
    of slow answers says nothing per copy), else None."""
    if not submitted or not sent or sent / submitted < 0.5:
        return None
    return (cpu_per_request - baseline_cpu_per_request) * requests / sent


def spread(values, fmt, suffix=""):
    """The mean of the rounds, then [lowest, highest]; a dash when there is no value."""
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    mean = statistics.mean(values)
    if len(values) == 1:
        return fmt.format(mean) + suffix
    return f"{fmt.format(mean)}{suffix} [{fmt.format(min(values))}, {fmt.format(max(values))}]"
