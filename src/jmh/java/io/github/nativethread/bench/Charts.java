// SPDX-License-Identifier: Apache-2.0
package io.github.nativethread.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;

/** Draws the report's charts as PNG files with XChart. */
final class Charts {
    private Charts() {}

    /** Writes one PNG per chart into {@code dir}, named after its title; returns the files. */
    static List<Path> write(Report report, Path dir, String java) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (Report.Chart c : report.charts()) {
            String title = c.title + " (Java " + java.replaceFirst(" .*", "") + ")";
            Chart<?, ?> chart = c.bars ? bars(c, title) : lines(c, title);
            Path file = dir.resolve(c.title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-") + ".png");
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
            files.add(file);
        }
        return files;
    }

    private static XYChart lines(Report.Chart c, String title) {
        XYChart chart = new XYChartBuilder().width(900).height(540).title(title)
                .xAxisTitle(c.xTitle).yAxisTitle(c.yTitle).build();
        chart.getStyler().setMarkerSize(7);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        for (Report.Series s : c.series) chart.addSeries(s.name, s.x, s.y);
        return chart;
    }

    private static CategoryChart bars(Report.Chart c, String title) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(540).title(title)
                .xAxisTitle(c.xTitle).yAxisTitle(c.yTitle).build();
        chart.getStyler().setOverlapped(false);
        chart.getStyler().setXAxisLabelRotation(45);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        for (Report.Series s : c.series) {
            List<String> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < s.x.length; i++) {
                x.add(String.format(Locale.ROOT, "%.0f", s.x[i]));
                y.add(s.y[i]);
            }
            chart.addSeries(s.name, x, y);
        }
        return chart;
    }
}
