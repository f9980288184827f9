package io.upcall.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The highest sustained rate of several pipeline variants, found by climbing one ladder of round rates (…, 1,000,
 * 1,500, 2,000, 3,000, 5,000, …) in lock-step: at each rung every variant still climbing runs the same window
 * alone (the others paused), and a variant stops at the first rung it does not sustain (a first miss is run once
 * more).
 *
 * <p>Why not a search per variant: the work a fop makes grows with the load that came before it (every client that
 * read an inode within the timeout is told of its next change), so two searches that tried different rates measured
 * their later steps on different states — in one run at-least-once's steps told 21 invalidations per fop, exactly-once's
 * 11, and at-least-once "sustained less" for it. On one ladder both variants have seen the same load at every rung
 * until one drops out.
 */
final class RateLadder {
  /** The rungs of each decade. */
  private static final double[] RUNGS = {1, 1.5, 2, 3, 5, 7.5};

  /**
   * Times a variant runs a rung again after it was not sustained, once per climb: on this machine a keeping-up app
   * sometimes misses the lag-growth bound by a few records a second (processed above published, lag below one second
   * of input), and one such step would end its climb.
   */
  private static final int RETRIES = 1;

  /** Rungs a variant that sustained nothing tries below the first, one at a time. */
  private static final int RUNGS_DOWN = 2;

  private RateLadder() {}

  /**
   * Climbs from the rung at or below {@code startShare} of the lowest median capacity, at most {@code rungs} rungs
   * (fewer when every variant has stopped).
   *
   * @param searches each variant's app and its search
   * @param probes each variant's capacity bursts, kept as the first steps of its outcome
   */
  static Map<PipelineVariant, ThroughputSearch.Outcome> climb(
      Map<PipelineVariant, ThroughputSearch> searches,
      Map<PipelineVariant, PipelineApp> apps,
      Map<PipelineVariant, List<ThroughputSearch.Step>> probes,
      BenchSettings settings,
      double startShare,
      int rungs,
      Consumer<String> progress) {
    Map<PipelineVariant, List<ThroughputSearch.Step>> steps = new LinkedHashMap<>();
    Map<PipelineVariant, Double> capacity = new LinkedHashMap<>();
    Map<PipelineVariant, Double> best = new LinkedHashMap<>();
    double lowest = Double.MAX_VALUE;
    for (PipelineVariant variant : searches.keySet()) {
      steps.put(variant, new ArrayList<>(probes.get(variant)));
      double median =
          ThroughputSearch.median(
              probes.get(variant).stream().mapToDouble(ThroughputSearch::capacityOf).toArray());
      capacity.put(variant, median);
      best.put(variant, 0.0);
      lowest = Math.min(lowest, Double.isNaN(median) ? 0 : median);
    }
    double first = atOrBelow(Math.max(ThroughputSearch.MIN_RATE, startShare * lowest));
    List<PipelineVariant> climbing = new ArrayList<>(searches.keySet());
    Map<PipelineVariant, Integer> retries = new LinkedHashMap<>();
    double rate = first;
    for (int rung = 0; rung < rungs && !climbing.isEmpty(); rung++, rate = above(rate)) {
      progress.accept(
          String.format(
              Locale.ROOT, "rung %,.0f fops/s: %s", rate, String.join(", ", names(climbing))));
      for (PipelineVariant variant : List.copyOf(climbing)) {
        ThroughputSearch.Step step = alone(variant, apps, searches.get(variant), rate, settings);
        steps.get(variant).add(step);
        if (!step.sustained() && retries.merge(variant, 1, Integer::sum) <= RETRIES) {
          progress.accept("  once more: " + variant.describe());
          step = alone(variant, apps, searches.get(variant), rate, settings);
          steps.get(variant).add(step);
        }
        if (step.sustained()) {
          best.put(variant, rate);
        } else {
          climbing.remove(variant);
        }
      }
    }
    for (PipelineVariant variant : searches.keySet()) {
      double down = below(first);
      for (int tries = 0;
          best.get(variant) == 0 && tries < RUNGS_DOWN && down >= ThroughputSearch.MIN_RATE / 4;
          tries++, down = below(down)) {
        ThroughputSearch.Step step = alone(variant, apps, searches.get(variant), down, settings);
        steps.get(variant).add(step);
        if (step.sustained()) {
          best.put(variant, down);
        }
      }
    }
    Map<PipelineVariant, ThroughputSearch.Outcome> outcomes = new LinkedHashMap<>();
    for (PipelineVariant variant : searches.keySet()) {
      List<ThroughputSearch.Step> all = steps.get(variant);
      outcomes.put(
          variant,
          new ThroughputSearch.Outcome(
              best.get(variant),
              capacity.get(variant),
              limitedBy(all.subList(probes.get(variant).size(), all.size())),
              all));
    }
    return outcomes;
  }

  /** The highest ladder rate at or below {@code rate} (a positive rate). */
  static double atOrBelow(double rate) {
    double decade = Math.pow(10, Math.floor(Math.log10(rate)));
    double found = decade;
    for (double rung : RUNGS) {
      if (rung * decade <= rate * (1 + 1e-9)) {
        found = rung * decade;
      }
    }
    return found;
  }

  /** The next rate up the ladder from the ladder rate {@code rate}. */
  static double above(double rate) {
    double decade = Math.pow(10, Math.floor(Math.log10(rate) + 1e-9));
    for (double rung : RUNGS) {
      if (rung * decade > rate * (1 + 1e-9)) {
        return rung * decade;
      }
    }
    return 10 * decade;
  }

  /** The next rate down the ladder from the ladder rate {@code rate}. */
  static double below(double rate) {
    return atOrBelow(rate * (1 - 1e-6));
  }

  /** Runs {@code rate} on {@code variant}'s app with every other app paused. */
  private static ThroughputSearch.Step alone(
      PipelineVariant variant,
      Map<PipelineVariant, PipelineApp> apps,
      ThroughputSearch search,
      double rate,
      BenchSettings settings) {
    PipelineApp.onlyRunning(apps.get(variant), apps.values());
    return search.step(rate, settings.sustainWindow());
  }

  private static String limitedBy(List<ThroughputSearch.Step> steps) {
    String limitedBy = "not reached by the search";
    for (ThroughputSearch.Step step : steps) {
      if (!step.sustained()) {
        limitedBy =
            step.producedRate() < ThroughputSearch.REACHED * step.targetRate()
                ? "load generator"
                : "streams app";
      }
    }
    return limitedBy;
  }

  private static List<String> names(List<PipelineVariant> variants) {
    return variants.stream().map(PipelineVariant::describe).toList();
  }
}
