package dev.pipekeeper.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Percentiles of a sample, for the harnesses' reports. */
final class Stats {
  private final List<Double> values = new ArrayList<>();

  void add(double value) {
    values.add(value);
  }

  int count() {
    return values.size();
  }

  /**
   * The nearest-rank percentile {@code p} (0 to 100) of the sample. With fewer than 100 values, p99
   * is the maximum.
   */
  double percentile(double p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }

  /**
   * An approximate 95% confidence interval of the median, from order statistics (the ranks {@code
   * n/2 ± 1.96·√n/2}, distribution-free); with fewer than 6 values it is the whole range.
   *
   * @return {low, high}
   */
  double[] medianInterval95() {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    if (n < 6) {
      return new double[] {min(), max()};
    }
    int lower = Math.max(1, (int) Math.floor(n / 2.0 - 1.96 * Math.sqrt(n) / 2));
    return new double[] {sorted.get(lower - 1), sorted.get(n - lower)};
  }

  /** {@code median (min–max)} with each figure in {@code format}. */
  String describe(String format) {
    return String.format(format + " (" + format + "–" + format + ")", percentile(50), min(), max());
  }

  double mean() {
    return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
  }

  double min() {
    return values.isEmpty() ? Double.NaN : Collections.min(values);
  }

  double max() {
    return values.isEmpty() ? Double.NaN : Collections.max(values);
  }
}
