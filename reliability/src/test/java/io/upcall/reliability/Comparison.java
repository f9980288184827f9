package io.upcall.reliability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The required invalidations against the ones delivered, as multisets: what is missing and what came extra. */
record Comparison(int required, int delivered, List<Told> lost, List<Told> duplicated) {

  static Comparison of(List<Told> required, List<Told> delivered) {
    Map<Told, Integer> left = new HashMap<>();
    required.forEach(told -> left.merge(told, 1, Integer::sum));
    List<Told> duplicated = new ArrayList<>();
    for (Told told : delivered) {
      Integer count = left.get(told);
      if (count == null) {
        duplicated.add(told);
      } else if (count == 1) {
        left.remove(told);
      } else {
        left.put(told, count - 1);
      }
    }
    List<Told> lost = new ArrayList<>();
    left.forEach((told, count) -> {
      for (int i = 0; i < count; i++) {
        lost.add(told);
      }
    });
    return new Comparison(required.size(), delivered.size(), lost, duplicated);
  }

  /** One line for the test output, with a few examples of each difference. */
  String summary() {
    return "required " + required + ", delivered " + delivered + ", lost " + lost.size() + ", extra "
        + duplicated.size() + (lost.isEmpty() ? "" : "; lost e.g. " + lost.subList(0, Math.min(3, lost.size())))
        + (duplicated.isEmpty() ? "" : "; extra e.g. " + duplicated.subList(0, Math.min(3, duplicated.size())));
  }
}
