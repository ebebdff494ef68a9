// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything one {@code ./build.sh bench} run measured: the table's rows, each beside its anchors,
 * and the series the charts draw. Printed as one table, written as {@code results.json}.
 */
final class Report {
    /**
     * One measurement. {@code higherIsBetter}: a throughput (the ratio to an anchor should be
     * at least 1), else a time or a size (at most 1). {@code note}: what the score does not say.
     */
    static final class Row {
        final String name, unit, note;
        final double score, error;
        final boolean higherIsBetter;

        Row(String name, double score, double error, String unit, boolean higherIsBetter, String note) {
            this.name = name;
            this.score = score;
            this.error = error;
            this.unit = unit;
            this.higherIsBetter = higherIsBetter;
            this.note = note == null ? "" : note;
        }
    }

    /** One line of a chart: y over x. */
    static final class Series {
        final String name;
        final double[] x, y;

        Series(String name, double[] x, double[] y) {
            this.name = name;
            this.x = x;
            this.y = y;
        }
    }

    /** A chart: its title, axis titles, and lines (or bars). */
    static final class Chart {
        final String title, xTitle, yTitle;
        final boolean bars;
        final List<Series> series;

        Chart(String title, String xTitle, String yTitle, boolean bars, List<Series> series) {
            this.title = title;
            this.xTitle = xTitle;
            this.yTitle = yTitle;
            this.bars = bars;
            this.series = series;
        }
    }

    /**
     * Benchmark, then the anchors it is compared with. A row named {@code X@N} (a parameter value
     * N, such as a thread count) is compared with the anchors' rows of the same {@code @N}.
     */
    static final String[][] ANCHORS = {
        {"LockBench.nativeLock", "LockBench.reentrantLock"},
        {"LockBench.nativeRLock", "LockBench.reentrantLock"},
        {"LockBench.nativeRLockReentered", "LockBench.reentrantLockReentered"},
        {"LockBench.nativeLockAsLock", "LockBench.reentrantLock"},
        {"LockBench.semaphore", "LockBench.reentrantLock"},
        {"LockBench.synchronizedBlock", "LockBench.reentrantLock"},
        {"ContendedBench.nativeLock", "ContendedBench.reentrantLock"},
        {"ContendedBench.nativeRLock", "ContendedBench.reentrantLock"},
        {"ContendedBench.synchronizedBlock", "ContendedBench.reentrantLock"},
        {"ContendedBench.semaphore", "ContendedBench.reentrantLock"},
        {"HandoffBench.nativeLocks", "HandoffBench.semaphores", "HandoffBench.parkUnpark"},
        {"IdBench.getNativeId", "IdBench.threadLocal", "IdBench.jniNoop", "IdBench.jniGettid", "IdBench.jnaGettid"},
        {"IdBench.jniGettid", "IdBench.jnaGettid"},
        {"ThreadBench.nativeThread", "ThreadBench.javaThread"},
        {"ThreadingBench.eventRoundTrip", "ThreadingBench.latchRoundTrip"},
        {"ThreadingBench.conditionPingPong", "ThreadingBench.jdkConditionPingPong"},
        {"ThreadingBench.semaphore", "ThreadingBench.jdkSemaphore"},
    };

    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final List<Chart> charts = new ArrayList<>();
    private final List<String> anchorTable = new ArrayList<>();

    /** Adds (or replaces) a row. */
    void add(Row row) {
        rows.put(row.name, row);
    }

    void add(String name, double score, double error, String unit, String note) {
        add(new Row(name, score, error, unit, false, note));
    }

    /** Further anchors, added by a measurement: its row, then the rows it is compared with. */
    void anchor(String row, String... anchors) {
        anchorTable.add(row + " " + String.join(" ", anchors));
    }

    void chart(Chart chart) {
        charts.add(chart);
    }

    List<Chart> charts() {
        return charts;
    }

    Row row(String name) {
        return rows.get(name);
    }

    /** The rows the named row is compared with, present in this report, with their ratios. */
    Map<String, Double> ratios(String name) {
        Map<String, Double> ratios = new LinkedHashMap<>();
        String base = name, suffix = "";
        int at = name.indexOf('@');
        if (at >= 0) {
            base = name.substring(0, at);
            suffix = name.substring(at);
        }
        List<String[]> table = new ArrayList<>(List.of(ANCHORS));
        for (String line : anchorTable) table.add(line.split(" "));
        for (String[] a : table) {
            if (!a[0].equals(base)) continue;
            for (int i = 1; i < a.length; i++) {
                Row anchor = rows.get(a[i] + suffix);
                if (anchor != null && anchor.score != 0) ratios.put(a[i] + suffix, rows.get(name).score / anchor.score);
            }
        }
        return ratios;
    }

    /** The table, one row a line, in the order the rows were added. */
    void print(String heading) {
        System.out.println();
        System.out.println(heading);
        System.out.printf("%-40s %12s %10s %-10s  %s%n", "benchmark", "score", "± error", "unit", "vs anchor");
        for (Row r : rows.values()) {
            StringBuilder ratio = new StringBuilder();
            ratios(r.name).forEach((anchor, value) -> {
                if (ratio.length() > 0) ratio.append(", ");
                ratio.append(String.format(Locale.ROOT, "%.2fx %s", value, anchor.replaceFirst("^[^.]*\\.", "")));
            });
            if (r.note != null && !r.note.isEmpty()) ratio.append(ratio.length() > 0 ? "; " : "").append(r.note);
            String error = Double.isNaN(r.error) ? "" : String.format(Locale.ROOT, "%10.3f", r.error);
            System.out.printf(Locale.ROOT, "%-40s %12.3f %10s %-10s  %s%n", r.name, r.score, error,
                    r.unit + (r.higherIsBetter ? " ↑" : ""), ratio);
        }
    }

    /** Writes the run's facts, every row with its ratios, and every chart's data as JSON. */
    void writeJson(Path file, Map<String, String> facts) throws IOException {
        StringBuilder json = new StringBuilder("{\n");
        json.append("  \"environment\": {");
        String sep = "";
        for (Map.Entry<String, String> e : facts.entrySet()) {
            json.append(sep).append("\n    ").append(quote(e.getKey())).append(": ").append(quote(e.getValue()));
            sep = ",";
        }
        json.append("\n  },\n  \"rows\": [");
        sep = "";
        for (Row r : rows.values()) {
            json.append(sep).append("\n    {\"name\": ").append(quote(r.name))
                    .append(", \"score\": ").append(number(r.score))
                    .append(", \"error\": ").append(number(r.error))
                    .append(", \"unit\": ").append(quote(r.unit))
                    .append(", \"higherIsBetter\": ").append(r.higherIsBetter)
                    .append(", \"note\": ").append(quote(r.note == null ? "" : r.note))
                    .append(", \"ratios\": {");
            String s = "";
            for (Map.Entry<String, Double> e : ratios(r.name).entrySet()) {
                json.append(s).append(quote(e.getKey())).append(": ").append(number(e.getValue()));
                s = ", ";
            }
            json.append("}}");
            sep = ",";
        }
        json.append("\n  ],\n  \"charts\": [");
        sep = "";
        for (Chart c : charts) {
            json.append(sep).append("\n    {\"title\": ").append(quote(c.title))
                    .append(", \"x\": ").append(quote(c.xTitle)).append(", \"y\": ").append(quote(c.yTitle))
                    .append(", \"series\": [");
            String s = "";
            for (Series series : c.series) {
                json.append(s).append("\n      {\"name\": ").append(quote(series.name))
                        .append(", \"x\": ").append(numbers(series.x)).append(", \"y\": ").append(numbers(series.y))
                        .append("}");
                s = ",";
            }
            json.append("]}");
            sep = ",";
        }
        json.append("\n  ]\n}\n");
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, json, StandardCharsets.UTF_8);
    }

    private static String numbers(double[] values) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) s.append(i > 0 ? ", " : "").append(number(values[i]));
        return s.append("]").toString();
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }

    static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') q.append('\\').append(c);
            else if (c < 0x20) q.append(String.format("\\u%04x", (int) c));
            else q.append(c);
        }
        return q.append('"').toString();
    }
}
