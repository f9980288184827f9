package io.upcall.producers.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Picks one of a few values with fixed relative weights. */
final class WeightedChoice<T> {
  private final List<T> values = new ArrayList<>();
  private double[] cumulative = new double[0];
  private double total;

  WeightedChoice<T> add(T value, double weight) {
    if (weight < 0) {
      throw new IllegalArgumentException("negative weight " + weight + " for " + value);
    }
    if (weight == 0) {
      return this;
    }
    values.add(value);
    total += weight;
    double[] next = Arrays.copyOf(cumulative, cumulative.length + 1);
    next[next.length - 1] = total;
    cumulative = next;
    return this;
  }

  T pick(SplittableRandom random) {
    double x = random.nextDouble() * total;
    for (int i = 0; i < cumulative.length - 1; i++) {
      if (x < cumulative[i]) {
        return values.get(i);
      }
    }
    return values.get(values.size() - 1);
  }
}
