//! Bar charts drawn by the benches themselves, as plain SVG (no dependency): people compare
//! servers by looking. One group of bars per server, one bar per series (a run).

use std::fmt::Write;

use super::server::Run;

const WIDTH: f64 = 820.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 80.0;
const BOTTOM: f64 = 90.0;
const TOP: f64 = 50.0;
const COLORS: [&str; 4] = ["#4472c4", "#ed7d31", "#70ad47", "#a5a5a5"];

/// A grouped bar chart of requests/s: `names` are the groups (servers), each series a label
/// and one [`Run`] per name, in the same order.
pub(super) fn grouped_bars(title: &str, names: &[&str], series: &[(String, &Vec<Run>)]) -> String {
    let max = series.iter().flat_map(|(_, runs)| runs.iter().map(|r| r.rps)).fold(1.0, f64::max);
    let scale = nice_ceiling(max);
    let plot_w = WIDTH - LEFT - 20.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let group_w = plot_w / names.len() as f64;
    let bar_w = group_w * 0.8 / series.len() as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n\
         <text x=\"{}\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">{}</text>\n",
        WIDTH / 2.0,
        escape(title)
    );
    for i in 0..=4 {
        let value = scale * f64::from(i) / 4.0;
        let y = TOP + plot_h - plot_h * f64::from(i) / 4.0;
        let _ = writeln!(
            svg,
            "<line x1=\"{LEFT}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"#ddd\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{:.0}k</text>",
            LEFT + plot_w,
            LEFT - 6.0,
            y + 4.0,
            value / 1000.0
        );
    }
    for (g, name) in names.iter().enumerate() {
        let x0 = LEFT + group_w * g as f64 + group_w * 0.1;
        for (s, (_, runs)) in series.iter().enumerate() {
            let rps = runs[g].rps;
            let h = plot_h * rps / scale;
            let x = x0 + bar_w * s as f64;
            let y = TOP + plot_h - h;
            let _ = writeln!(
                svg,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"/>\
                 <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\">{:.0}</text>",
                bar_w - 2.0,
                COLORS[s % COLORS.len()],
                x + bar_w / 2.0,
                y - 3.0,
                rps
            );
        }
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            x0 + group_w * 0.4,
            TOP + plot_h + 18.0,
            escape(name)
        );
    }
    for (s, (label, _)) in series.iter().enumerate() {
        let x = LEFT + 170.0 * s as f64;
        let y = HEIGHT - 30.0;
        let _ = writeln!(
            svg,
            "<rect x=\"{x}\" y=\"{}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"{y}\">{}</text>",
            y - 10.0,
            COLORS[s % COLORS.len()],
            x + 16.0,
            escape(label)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// The smallest of 1, 2, 2.5, 5 times a power of ten at or above `v`.
fn nice_ceiling(v: f64) -> f64 {
    let power = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * power).find(|&c| c >= v).unwrap_or(10.0 * power)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
