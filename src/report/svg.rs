//! The HTML report's charts, drawn as inline SVG: a line over time and horizontal bars.
//! Every text in them is escaped, so a hostile user id or feature name stays text.

use std::borrow::Cow;
use std::fmt::Write;

/// Escapes `text` for HTML and SVG content and attribute values.
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>', '"', '\'']) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A number for a label: three significant digits or more (`0.00412`, `48.5`, `1235`), no
/// trailing zeros.
pub(crate) fn number(value: f64) -> String {
    let decimals = match value.abs() {
        v if v == 0.0 || v >= 100.0 => 0,
        v => (2.0 - v.log10().floor()).clamp(0.0, 6.0) as usize,
    };
    let text = format!("{value:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text }
}

/// A round step for about `parts` grid lines up to `max` (1, 2 or 5 times a power of ten).
fn nice_step(max: f64, parts: f64) -> f64 {
    let raw = (max / parts).max(f64::MIN_POSITIVE);
    let power = 10f64.powf(raw.log10().floor());
    let step =
        [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * power).find(|s| *s >= raw).unwrap_or(10.0 * power);
    if max.fract() == 0.0 && max <= 4.0 { step.max(1.0) } else { step }
}

const FONT: &str = "font-family=\"system-ui,-apple-system,Segoe UI,Roboto,sans-serif\" font-size=\"12\"";

/// An area chart of `points` (label, value) in `color`, `width` × `height` pixels.
pub(crate) fn line_chart(points: &[(String, f64)], width: u32, height: u32, color: &str) -> String {
    let (left, right, top, bottom) = (48.0, 16.0, 12.0, 28.0);
    let (w, h) = (f64::from(width), f64::from(height));
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let max = points.iter().map(|p| p.1).fold(0.0, f64::max).max(1.0);
    let step = nice_step(max, 4.0);
    let top_value = (max / step).ceil() * step;
    let x = |i: usize| {
        if points.len() <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (points.len() - 1) as f64
        }
    };
    let y = |v: f64| top + plot_h * (1.0 - v / top_value);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" {FONT}>"
    );
    let mut tick = 0.0;
    while tick <= top_value + step / 2.0 {
        let ty = y(tick);
        let _ = write!(
            svg,
            "<line x1=\"{left}\" y1=\"{ty:.1}\" x2=\"{:.1}\" y2=\"{ty:.1}\" stroke=\"#e5e7eb\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#6b7280\">{}</text>",
            w - right,
            left - 6.0,
            ty + 4.0,
            number(tick)
        );
        tick += step;
    }
    if points.is_empty() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#6b7280\">no actions in this window</text>",
            left + plot_w / 2.0,
            top + plot_h / 2.0
        );
    } else {
        let mut line = String::new();
        for (i, (_, v)) in points.iter().enumerate() {
            let _ = write!(line, "{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, x(i), y(*v));
        }
        let base = y(0.0);
        let area = format!("{line} L{:.1},{base:.1} L{:.1},{base:.1} Z", x(points.len() - 1), x(0));
        let _ = write!(
            svg,
            "<path d=\"{area}\" fill=\"{color}\" fill-opacity=\"0.18\"/>\
             <path d=\"{line}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\" stroke-linejoin=\"round\"/>"
        );
        for (i, (label, v)) in points.iter().enumerate() {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{color}\"><title>{}: {}</title></circle>",
                x(i),
                y(*v),
                escape(label),
                number(*v)
            );
        }
        // About six labels along the time axis.
        let every = points.len().div_ceil(6).max(1);
        for (i, (label, _)) in points.iter().enumerate().filter(|(i, _)| i % every == 0) {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#6b7280\">{}</text>",
                x(i),
                h - 8.0,
                escape(label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One bar of a chart: what it stands for, its value, the text beside it, its colour.
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) value: f64,
    pub(crate) text: String,
    pub(crate) color: &'static str,
}

/// Horizontal bars, one row each, `width` pixels wide; `empty` is shown when there are none.
pub(crate) fn bar_chart(bars: Vec<Bar>, width: u32, empty: &str) -> String {
    let rows: Vec<(String, Vec<Bar>)> = bars.into_iter().map(|bar| (bar.label.clone(), vec![bar])).collect();
    grouped_bar_chart(&rows, width, empty)
}

/// Horizontal bars in groups: each row has a label and one or more bars.
pub(crate) fn grouped_bar_chart(rows: &[(String, Vec<Bar>)], width: u32, empty: &str) -> String {
    let (label_w, value_w, bar_h, gap) = (180.0, 90.0, 14.0, 10.0);
    let w = f64::from(width);
    let plot_w = w - label_w - value_w;
    let max =
        rows.iter().flat_map(|r| r.1.iter().map(|b| b.value)).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    let row_h = |bars: usize| bars as f64 * bar_h + gap;
    let height: f64 =
        if rows.is_empty() { 40.0 } else { rows.iter().map(|r| row_h(r.1.len())).sum::<f64>() + gap };
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height:.0}\" viewBox=\"0 0 {width} {height:.0}\" role=\"img\" {FONT}>"
    );
    if rows.is_empty() {
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"24\" text-anchor=\"middle\" fill=\"#6b7280\">{}</text>",
            w / 2.0,
            escape(empty)
        );
    }
    let mut top = gap;
    for (label, bars) in rows {
        let group_h = bars.len() as f64 * bar_h;
        let shown: String = if label.chars().count() > 26 {
            label.chars().take(25).chain(['…']).collect()
        } else {
            label.clone()
        };
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#111827\"><title>{}</title>{}</text>",
            label_w - 8.0,
            top + group_h / 2.0 + 4.0,
            escape(label),
            escape(&shown)
        );
        for (i, Bar { label: bar_label, value, text, color }) in bars.iter().enumerate() {
            let y = top + i as f64 * bar_h;
            let bar_w = (plot_w * value / max).max(if *value > 0.0 { 2.0 } else { 0.0 });
            let _ = write!(
                svg,
                "<rect x=\"{label_w}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{:.1}\" rx=\"2\" fill=\"{color}\"><title>{}: {}</title></rect>\
                 <text x=\"{:.1}\" y=\"{:.1}\" fill=\"#374151\">{}</text>",
                y + 1.0,
                bar_h - 2.0,
                escape(bar_label),
                escape(text),
                label_w + bar_w + 6.0,
                y + bar_h - 3.0,
                escape(text)
            );
        }
        top += row_h(bars.len());
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_texts_is_escaped() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        assert!(matches!(escape("plain"), Cow::Borrowed("plain")));
        let chart = bar_chart(
            vec![Bar {
                label: "<img src=x onerror=alert(1)>".into(),
                value: 3.0,
                text: "3".into(),
                color: "#000",
            }],
            600,
            "none",
        );
        assert!(!chart.contains("<img"), "{chart}");
        assert!(chart.contains("&lt;img"), "{chart}");
    }

    #[test]
    fn grid_steps_are_round() {
        assert_eq!(nice_step(100.0, 4.0), 50.0);
        assert_eq!(nice_step(7.0, 4.0), 2.0);
        assert_eq!(nice_step(3.0, 4.0), 1.0);
        assert_eq!(nice_step(1234.0, 4.0), 500.0);
        assert_eq!(number(2.0), "2");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(0.004123), "0.00412");
        assert_eq!(number(48.5), "48.5");
        assert_eq!(number(1234.56), "1235");
        assert_eq!(number(0.0), "0");
    }
}
