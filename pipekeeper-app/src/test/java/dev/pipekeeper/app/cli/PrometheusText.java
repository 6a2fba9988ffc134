package dev.pipekeeper.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Scrapes a Prometheus endpoint and parses the text exposition format, line by line. */
final class PrometheusText {
  private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\]|\\\\.)*\"";

  /** One sample per line: name, optional labels, value. */
  private static final Pattern SAMPLE =
      Pattern.compile(
          "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{((?:"
              + LABEL
              + ")(?:,"
              + LABEL
              + ")*)?,?\\})? (-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)");

  private static final Pattern LABEL_PARTS =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private PrometheusText() {}

  /** A parsed sample. */
  record Sample(String name, Map<String, String> labels, double value) {
    /** Whether this is a sample of {@code metric} with (at least) these labels. */
    boolean is(String metric, Map<String, String> having) {
      return name.equals(metric) && labels.entrySet().containsAll(having.entrySet());
    }
  }

  /**
   * GETs {@code uri}, checks the answer (200, text/plain) and that every line is a comment or a
   * sample, and returns the samples.
   */
  static List<Sample> scrape(URI uri) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValueSatisfying(type -> assertThat(type).startsWith("text/plain"));
    List<String> lines =
        response.body().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    assertThat(lines).isNotEmpty().allMatch(l -> SAMPLE.matcher(l).matches());
    return lines.stream().map(PrometheusText::parse).toList();
  }

  private static Sample parse(String line) {
    Matcher sample = SAMPLE.matcher(line);
    if (!sample.matches()) {
      throw new AssertionError("not a sample: " + line);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    if (sample.group(3) != null) {
      Matcher label = LABEL_PARTS.matcher(sample.group(3));
      while (label.find()) {
        labels.put(label.group(1), label.group(2).replace("\\\"", "\"").replace("\\\\", "\\"));
      }
    }
    String value = sample.group(4);
    double parsed =
        switch (value) {
          case "+Inf" -> Double.POSITIVE_INFINITY;
          case "-Inf" -> Double.NEGATIVE_INFINITY;
          default -> Double.parseDouble(value);
        };
    return new Sample(sample.group(1), labels, parsed);
  }
}
