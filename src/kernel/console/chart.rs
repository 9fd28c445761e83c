//! Server-rendered SVG charts for the console's dashboards (waiting times, contributions,
//! sales): an inline, accessible `<svg>` the page embeds as it is, with no script.
//!
//! A small writer of our own on maud rather than plotters, because what the pages need is
//! markup plotters does not write: `role="img"`, `aria-label`, a `<title>` tooltip on every
//! point and bar, `currentColor` text that follows the page's colours, and a `viewBox` that
//! scales to its container. Plotters also lays its text out with a font backend: real
//! metrics need system fonts at run time (`ttf` via font-kit), and without them its layout
//! is a guess anyway. maud (the console's templates) escapes every text and attribute.
//!
//! Values that are NaN or infinite are skipped (a gap in a line, no bar); when no finite
//! value is left, the chart says "Belum ada data" instead of drawing empty axes.

use maud::{html, Markup};

/// One line or one set of bars.
pub struct Series {
    /// The legend's text.
    pub name: String,
    /// One value per x label; a NaN or infinite value is left out.
    pub values: Vec<f64>,
}

/// A chart's frame: title, the x axis labels (one per value), the y unit ("menit", "Rp").
pub struct Chart<'a> {
    /// The chart's title, also its accessible name.
    pub title: &'a str,
    /// One label per value, in order.
    pub x_labels: &'a [String],
    /// The unit of the values, shown above the y axis and in every tooltip.
    pub unit: &'a str,
}

/// The viewBox: wide enough for a 1366 px laptop column, and it scales down on a phone.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 360.0;
/// The plot area inside the viewBox (room for y tick labels such as "12.500.000").
const LEFT: f64 = 84.0;
const RIGHT: f64 = WIDTH - 16.0;
const TOP: f64 = 52.0;
const BOTTOM: f64 = 280.0;
/// An estimate of one character's width at the 12 px font, for thinning and the legend.
const CHAR_WIDTH: f64 = 7.0;
/// The Okabe-Ito colours: told apart with the common colour-vision deficiencies.
const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
];
/// What a chart without any value says.
pub const NO_DATA: &str = "Belum ada data";

/// An accessible inline <svg> (role="img", <title>, aria-label) of lines, one per series,
/// with axes, y ticks (nice round numbers), x labels (thinned when crowded), a legend, and
/// a `<title>` tooltip "label: value unit" on each point. Scales to its container
/// (viewBox, width 100%).
pub fn line_chart(chart: &Chart, series: &[Series]) -> String {
    render(chart, series, Kind::Line)
}

/// The same frame with grouped bars.
pub fn bar_chart(chart: &Chart, series: &[Series]) -> String {
    render(chart, series, Kind::Bar)
}

/// Which marks a chart draws in its frame.
#[derive(Clone, Copy)]
enum Kind {
    Line,
    Bar,
}

/// The frame, the marks and the legend; or the "no data" chart.
fn render(chart: &Chart, series: &[Series], kind: Kind) -> String {
    let count = series
        .iter()
        .map(|s| s.values.len())
        .chain([chart.x_labels.len()])
        .max()
        .unwrap_or(0);
    let finite = || {
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .filter(|v| v.is_finite())
    };
    let (Some(low), Some(high)) = (finite().reduce(f64::min), finite().reduce(f64::max)) else {
        return empty(chart).into_string();
    };
    let scale = Scale::new(low, high);
    let frame = Frame {
        count,
        scale: &scale,
        labels: chart.x_labels,
    };
    let marks = match kind {
        Kind::Line => lines(&frame, chart.unit, series),
        Kind::Bar => bars(&frame, chart.unit, series),
    };
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox=(view_box()) width="100%"
            role="img" aria-label=(chart.title) font-family="system-ui, sans-serif" font-size="12" {
            title { (chart.title) }
            text class="chart-title" x=(num(LEFT)) y="22" font-size="15" font-weight="600" fill="currentColor" { (chart.title) }
            @if !chart.unit.is_empty() {
                text class="unit" x=(num(LEFT - 8.0)) y=(num(TOP - 12.0)) text-anchor="end" fill="currentColor" { (chart.unit) }
            }
            (y_axis(&scale))
            (x_axis(&frame))
            (marks)
            (legend(series))
        }
    }
    .into_string()
}

/// The chart that says there is nothing to draw yet.
fn empty(chart: &Chart) -> Markup {
    let label = format!("{}: {NO_DATA}", chart.title);
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="chart chart-empty" viewBox=(view_box()) width="100%"
            role="img" aria-label=(label) font-family="system-ui, sans-serif" font-size="12" {
            title { (label) }
            text class="chart-title" x=(num(LEFT)) y="22" font-size="15" font-weight="600" fill="currentColor" { (chart.title) }
            text class="no-data" x=(num(WIDTH / 2.0)) y=(num(HEIGHT / 2.0)) text-anchor="middle" font-size="16" fill="currentColor" { (NO_DATA) }
        }
    }
}

/// Where the x bands are and how values map to heights.
struct Frame<'a> {
    count: usize,
    scale: &'a Scale,
    labels: &'a [String],
}

impl Frame<'_> {
    /// One band's width: every value sits in the middle of its band, for lines and bars alike.
    fn band(&self) -> f64 {
        (RIGHT - LEFT) / self.count.max(1) as f64
    }

    /// The middle of band `i`.
    fn x(&self, i: usize) -> f64 {
        LEFT + (i as f64 + 0.5) * self.band()
    }

    /// Label `i`, or its 1-based position when a series is longer than the labels.
    fn label(&self, i: usize) -> String {
        self.labels.get(i).cloned().unwrap_or_else(|| (i + 1).to_string())
    }
}

/// A y axis from nice round numbers: zero is always on it, so bars grow from a true base.
struct Scale {
    min: f64,
    max: f64,
    step: f64,
}

impl Scale {
    /// About five ticks covering `low..=high` and zero (Heckbert's "nice numbers").
    fn new(low: f64, high: f64) -> Scale {
        let low = low.min(0.0);
        // All zeros: a 0..1 axis, so the flat line still sits on a labelled base.
        let high = if high > low { high } else { low + 1.0 };
        let step = nice(nice(high - low, false) / 4.0, true);
        let min = (low / step).floor() * step;
        let max = ((high / step).ceil() * step).max(min + step);
        let sound = step.is_finite() && step > 0.0 && min.is_finite() && (max - min).is_finite();
        if sound && max > min {
            Scale { min, max, step }
        } else {
            // Values near f64's limits overflow the rounding: the data's own range will do.
            Scale {
                min: low,
                max: high,
                step: high - low,
            }
        }
    }

    /// The y coordinate of `value`.
    fn y(&self, value: f64) -> f64 {
        BOTTOM - (value - self.min) / (self.max - self.min) * (BOTTOM - TOP)
    }

    /// The tick values, bottom to top.
    fn ticks(&self) -> Vec<f64> {
        // At most 20: a scale that fell back on extreme values never loops for ever.
        let count = ((self.max - self.min) / self.step).round().clamp(0.0, 20.0) as usize;
        // Rounding each tick to the step's precision keeps 0.30000000000000004 out of labels.
        (0..=count)
            .map(|i| round_to(self.min + i as f64 * self.step, self.step))
            .collect()
    }
}

/// The nice number (1, 2, 5 or 10 times a power of ten) nearest `x` (`round`) or above it.
fn nice(x: f64, round: bool) -> f64 {
    let exp = x.log10().floor();
    let power = 10f64.powf(exp);
    let fraction = x / power;
    let nice = match (round, fraction) {
        (true, f) if f < 1.5 => 1.0,
        (true, f) if f < 3.0 => 2.0,
        (true, f) if f < 7.0 => 5.0,
        (true, _) => 10.0,
        (false, f) if f <= 1.0 => 1.0,
        (false, f) if f <= 2.0 => 2.0,
        (false, f) if f <= 5.0 => 5.0,
        (false, _) => 10.0,
    };
    nice * power
}

/// `value` rounded to the decimals `step` shows.
fn round_to(value: f64, step: f64) -> f64 {
    let decimals = decimals(step);
    let factor = 10f64.powi(decimals as i32);
    (value * factor).round() / factor
}

/// How many decimals a tick step needs (0 for steps of 1 and more, at most 6).
fn decimals(step: f64) -> usize {
    (0..6)
        .find(|&d| (step * 10f64.powi(d as i32)).fract().abs() < 1e-9)
        .unwrap_or(6)
}

/// The y axis line, its ticks, their labels and light grid lines.
fn y_axis(scale: &Scale) -> Markup {
    html! {
        g class="y-axis" {
            @for tick in scale.ticks() {
                @let y = num(scale.y(tick));
                line x1=(num(LEFT)) x2=(num(RIGHT)) y1=(y) y2=(y) stroke="currentColor" stroke-opacity="0.15" {}
                text class="tick" x=(num(LEFT - 8.0)) y=(y) dy="4" text-anchor="end" fill="currentColor" { (format_number(tick)) }
            }
            line x1=(num(LEFT)) x2=(num(LEFT)) y1=(num(TOP)) y2=(num(BOTTOM)) stroke="currentColor" {}
        }
    }
}

/// The x axis at the base, with every label that fits (every k-th when crowded).
fn x_axis(frame: &Frame) -> Markup {
    let widest = (0..frame.count)
        .map(|i| frame.label(i).chars().count())
        .max()
        .unwrap_or(0);
    let needed = widest as f64 * CHAR_WIDTH + 8.0;
    let every = ((needed / frame.band()).ceil() as usize).max(1);
    let base = num(frame.scale.y(0.0).min(BOTTOM));
    html! {
        g class="x-axis" {
            line x1=(num(LEFT)) x2=(num(RIGHT)) y1=(base) y2=(base) stroke="currentColor" {}
            @for i in (0..frame.count).step_by(every) {
                text class="x-label" x=(num(frame.x(i))) y=(num(BOTTOM + 18.0)) text-anchor="middle" fill="currentColor" { (frame.label(i)) }
            }
        }
    }
}

/// One polyline per run of finite values, and a point with its tooltip on every value.
fn lines(frame: &Frame, unit: &str, series: &[Series]) -> Markup {
    html! {
        @for (index, one) in series.iter().enumerate() {
            @let colour = PALETTE[index % PALETTE.len()];
            g class="series" data-series=(one.name) stroke=(colour) fill=(colour) {
                @for run in runs(&one.values) {
                    @let points: Vec<String> = run.iter().map(|&(i, v)| format!("{},{}", num(frame.x(i)), num(frame.scale.y(v)))).collect();
                    polyline points=(points.join(" ")) fill="none" stroke-width="2" {}
                }
                @for (i, value) in finite_points(&one.values) {
                    circle class="point" cx=(num(frame.x(i))) cy=(num(frame.scale.y(value))) r="3.5" {
                        title { (tooltip(&frame.label(i), value, unit)) }
                    }
                }
            }
        }
    }
}

/// Grouped bars: in each band, one bar per series side by side, from zero to the value.
fn bars(frame: &Frame, unit: &str, series: &[Series]) -> Markup {
    let group = frame.band() * 0.8;
    let width = group / series.len().max(1) as f64;
    let zero = frame.scale.y(0.0);
    html! {
        @for (index, one) in series.iter().enumerate() {
            @let colour = PALETTE[index % PALETTE.len()];
            g class="series" data-series=(one.name) fill=(colour) {
                @for (i, value) in finite_points(&one.values) {
                    @let y = frame.scale.y(value);
                    @let x = frame.x(i) - group / 2.0 + index as f64 * width;
                    rect class="bar" x=(num(x)) y=(num(y.min(zero))) width=(num(width * 0.9)) height=(num((y - zero).abs())) {
                        title { (tooltip(&frame.label(i), value, unit)) }
                    }
                }
            }
        }
    }
}

/// The legend under the x labels: a swatch and the name of each series, wrapped into rows.
fn legend(series: &[Series]) -> Markup {
    let mut placed = Vec::with_capacity(series.len());
    let (mut x, mut y) = (LEFT, BOTTOM + 46.0);
    for (index, one) in series.iter().enumerate() {
        let width = 22.0 + one.name.chars().count() as f64 * CHAR_WIDTH + 16.0;
        if x + width > RIGHT && x > LEFT {
            (x, y) = (LEFT, y + 18.0);
        }
        placed.push((x, y, PALETTE[index % PALETTE.len()], one.name.as_str()));
        x += width;
    }
    html! {
        g class="legend" {
            @for (x, y, colour, name) in placed {
                rect x=(num(x)) y=(num(y - 10.0)) width="14" height="10" fill=(colour) {}
                text x=(num(x + 20.0)) y=(num(y)) fill="currentColor" { (name) }
            }
        }
    }
}

/// The finite values with their positions.
fn finite_points(values: &[f64]) -> impl Iterator<Item = (usize, f64)> + '_ {
    values.iter().copied().enumerate().filter(|(_, v)| v.is_finite())
}

/// The runs of consecutive finite values: a line breaks where a value is missing.
fn runs(values: &[f64]) -> Vec<Vec<(usize, f64)>> {
    let mut runs: Vec<Vec<(usize, f64)>> = vec![];
    let mut current = vec![];
    for (i, value) in values.iter().copied().enumerate() {
        if value.is_finite() {
            current.push((i, value));
        } else if !current.is_empty() {
            runs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

/// "label: value unit", the text a point's or bar's tooltip shows.
fn tooltip(label: &str, value: f64, unit: &str) -> String {
    let value = format_number(value);
    if unit.is_empty() {
        format!("{label}: {value}")
    } else {
        format!("{label}: {value} {unit}")
    }
}

/// `value` the Indonesian way: thousands grouped with '.', decimals after ',' (at most two,
/// trailing zeros dropped): 1250000 is "1.250.000", 12.5 is "12,5", -0.25 is "-0,25".
/// Hand-written: the crates that group digits take integers only, and the fraction is ours.
pub fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return "-".into();
    }
    let cents = (value.abs() * 100.0).round();
    let whole = format!("{:.0}", (cents / 100.0).trunc());
    let fraction = (cents % 100.0) as u32;
    let mut out = String::with_capacity(whole.len() + whole.len() / 3 + 4);
    if value < 0.0 && cents > 0.0 {
        out.push('-');
    }
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(digit);
    }
    match fraction {
        0 => {}
        f if f % 10 == 0 => out.push_str(&format!(",{}", f / 10)),
        f => out.push_str(&format!(",{f:02}")),
    }
    out
}

/// The viewBox attribute.
fn view_box() -> String {
    format!("0 0 {WIDTH} {HEIGHT}")
}

/// A coordinate with one decimal: enough on a 720-wide box, and short markup.
fn num(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    format!("{rounded}")
}

#[cfg(test)]
mod tests;
